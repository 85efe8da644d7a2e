#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Validate kcidb.json files against the KCIDB schema of the version each
declares, with python3-jsonschema's Draft7Validator.  The schemas are
KernelCI's kcidb-io library's own (its Version.json), in
tools/bench/kcidb/kcidb.vMAJOR.MINOR.schema.json; a version with no schema
there is an error.  Prints a KTAP plan, then one "ok - " or "not ok - "
line per file (with the first errors), and exits 1 when any file is
invalid.

usage: kcidb-validate.py FILE..."""
import json, os, sys

try:
    import jsonschema
except ImportError:
    sys.exit("kcidb-validate: python3-jsonschema is missing: run 'make deps'")

SCHEMAS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kcidb")


def validate(path):
    """A list of what is wrong with the file (empty: valid)."""
    try:
        data = json.load(open(path))
        version = data["version"]
        name = f"kcidb.v{version['major']}.{version['minor']}.schema.json"
    except (OSError, ValueError, KeyError, TypeError) as e:
        return [f"not a KCIDB report with a version: {e}"]
    try:
        schema = json.load(open(os.path.join(SCHEMAS, name)))
    except OSError:
        return [f"declares v{version['major']}.{version['minor']}: no {name} in {SCHEMAS}"]
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(data), key=lambda e: list(e.path))
    if not data.get("tests"):
        return ["no tests"] + [e.message for e in errors]
    return [f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors]


def main(paths):
    if not paths:
        sys.exit(__doc__)
    bad = 0
    print(f"1..{len(paths)}")
    for path in paths:
        errors = validate(path)
        bad += bool(errors)
        print(f"{'not ok' if errors else 'ok'} - kcidb: {path} validates against the schema "
              f"of the version it declares{f' ({len(errors)} errors)' if errors else ''}")
        for e in errors[:5]:
            print(f"#   {e[:300]}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
