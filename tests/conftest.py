"""Settings shared by the whole test suite."""

from hypothesis import HealthCheck, settings

# The suite runs on shared CI machines whose speed varies a lot from run to run. Property
# tests keep their example counts, but neither a slow example nor slow input generation
# counts as a failure: only a broken property does.
settings.register_profile("kktemu", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("kktemu")
