"""pytest plugin of hubsim (registered through the pytest11 entry point)."""
