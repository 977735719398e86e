.RECIPEPREFIX = >
ci:
>@docker run --rm \
>--privileged example/app:1
	docker run --privileged not-a-recipe-here
