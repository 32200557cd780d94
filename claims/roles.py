"""Names of the newsroom roles created by migration 0002_roles."""

REPORTER = "Reporter"
EDITOR = "Redakteur"
PUBLISHER = "Chef vom Dienst"
