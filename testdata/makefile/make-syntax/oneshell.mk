.ONESHELL:
debug:
	cat <<EOF > notes.txt
	docker run --privileged example/app:1
	EOF
	docker run --rm \
	  --privileged example/app:1
