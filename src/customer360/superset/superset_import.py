"""Import the customer360 dashboard bundle into Superset and set up the admin user.

Run by `c360 superset` with Superset's own interpreter (.venv-superset/bin/python), after
`superset db upgrade` and `superset init`, with superset_config.py as SUPERSET_CONFIG_PATH. It
imports nothing from customer360. Input, as JSON on stdin: {"contents": {bundle path: YAML
text}}; the admin's name, password and email come from C360_SUPERSET_ADMIN_USER,
C360_SUPERSET_ADMIN_PASSWORD and C360_SUPERSET_ADMIN_EMAIL. Output: one JSON line on stdout
with the ids of what was imported.

Superset's dashboard import creates the database, datasets and charts a dashboard needs but
never updates them once they exist, so each part is imported with its own command, in
dependency order, each overwriting: a second run makes Superset match the files again.
"""

import json
import os
import sys

import yaml

# (command module, class, metadata type) in dependency order.
IMPORTS = (
    ("superset.commands.database.importers.v1", "ImportDatabasesCommand", "Database"),
    ("superset.commands.dataset.importers.v1", "ImportDatasetsCommand", "SqlaTable"),
    ("superset.commands.chart.importers.v1", "ImportChartsCommand", "Slice"),
    ("superset.commands.dashboard.importers.v1", "ImportDashboardsCommand", "Dashboard"),
)


def ensure_admin(security_manager):
    """The admin of the environment variables, with their current password and the Admin role."""
    username = os.environ["C360_SUPERSET_ADMIN_USER"]
    password = os.environ["C360_SUPERSET_ADMIN_PASSWORD"]
    email = os.environ.get("C360_SUPERSET_ADMIN_EMAIL") or f"{username}@localhost"
    admin_role = security_manager.find_role("Admin")
    user = security_manager.find_user(username=username)
    if user is None:
        user = security_manager.add_user(username, username, "admin", email, admin_role, password)
        if not user:
            raise SystemExit(f"could not create the Superset user {username!r}")
    else:
        security_manager.reset_password(user.id, password)
        if admin_role not in user.roles:
            user.roles.append(admin_role)
    return user


def import_bundle(contents):
    import importlib

    for module_name, class_name, metadata_type in IMPORTS:
        metadata = yaml.safe_load(contents["metadata.yaml"])
        metadata["type"] = metadata_type
        part = {**contents, "metadata.yaml": yaml.safe_dump(metadata)}
        command = getattr(importlib.import_module(module_name), class_name)
        command(part, overwrite=True).run()


def sync_dataset_columns(db, dataset_uuids):
    """Read each dataset's columns from its table, so columns the files do not list appear too."""
    from superset.connectors.sqla.models import SqlaTable

    for dataset in db.session.query(SqlaTable).filter(SqlaTable.uuid.in_(dataset_uuids)):
        dataset.fetch_metadata()
    db.session.commit()


def imported_ids(db, contents):
    import uuid

    from superset.models.dashboard import Dashboard
    from superset.models.slice import Slice

    configs = {path: yaml.safe_load(text) for path, text in contents.items()}

    def by_uuid(model, prefix):
        uuids = [uuid.UUID(c["uuid"]) for p, c in configs.items() if p.startswith(prefix)]
        return db.session.query(model).filter(model.uuid.in_(uuids)).all()

    return {
        "charts": [{"id": c.id, "name": c.slice_name} for c in by_uuid(Slice, "charts/")],
        "dashboards": [
            {"id": d.id, "slug": d.slug, "title": d.dashboard_title}
            for d in by_uuid(Dashboard, "dashboards/")
        ],
    }


def main():
    import uuid

    from flask import g
    from superset.app import create_app

    request = json.load(sys.stdin)
    contents = request["contents"]
    app = create_app()
    with app.app_context():
        from superset import db, security_manager

        g.user = ensure_admin(security_manager)
        db.session.commit()
        import_bundle(contents)
        db.session.commit()
        dataset_uuids = [
            uuid.UUID(yaml.safe_load(text)["uuid"])
            for path, text in contents.items()
            if path.startswith("datasets/")
        ]
        sync_dataset_columns(db, dataset_uuids)
        print(json.dumps(imported_ids(db, contents)))


if __name__ == "__main__":
    main()
