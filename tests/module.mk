# tests/: scenario scripts and the shell scripts shellcheck reads.
INTEG_TESTS += $(sort $(wildcard tests/integration/t_*.sh))
SH_SCRIPTS  += tests/run.sh scripts/deps.sh scripts/demo.sh \
	$(wildcard tests/integration/*.sh tests/integration/lib/*.sh \
	tests/bench/*.sh .ci/run etc/init.d/*)
