"""Apache Superset on the published mart: provisioning, the dashboard bundle, serving.

Superset runs from its own virtualenv; superset_config.py and superset_import.py run inside
it, the other modules in customer360's.
"""
