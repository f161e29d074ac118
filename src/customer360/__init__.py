"""customer360: the Python side of the project (demo data generator, report, validation, CLI)."""
