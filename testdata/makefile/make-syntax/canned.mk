define run-unconfined =
@echo starting
docker run --rm \
	--security-opt seccomp=unconfined $(1)
endef

define never-used
docker run --privileged example/app:1
endef

debug:
	$(call run-unconfined,example/app:1)
again:
	@$(run-unconfined)
