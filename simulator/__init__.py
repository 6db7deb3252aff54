"""The mock Hubject hub (HBS)."""
