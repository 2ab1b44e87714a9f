#!/usr/bin/env python3
"""Checks recorded HTTP exchanges against schemas/openapi.yaml.

Usage: check-openapi.py OPENAPI.yaml SCHEMAS_DIR EXCHANGES.jsonl

Each line of EXCHANGES.jsonl is {"method", "template", "status", "contentType", "body"}: the path
template the request was made to (as written in the spec), the status and media type answered, and
the body as text. Every exchange must be documented (path, method, status, media type), and every
JSON body must validate against its schema. Prints one line per failure; exits 1 if any.
"""
import json
import pathlib
import sys

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

# The spec's own address: its relative `$ref`s ("proof-v1.schema.json") resolve beside it, as they
# do for a tool that reads schemas/openapi.yaml from disk (Schemathesis).
SPEC_URI = "https://trace.example/schemas/openapi.yaml"


def main():
    spec_path, schemas_dir, exchanges_path = sys.argv[1:4]
    spec = yaml.safe_load(pathlib.Path(spec_path).read_text(encoding="utf-8"))
    resources = [(SPEC_URI, Resource.from_contents(spec, default_specification=DRAFT202012))]
    for path in pathlib.Path(schemas_dir).glob("*.schema.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resource = Resource.from_contents(schema, default_specification=DRAFT202012)
        resources.append((schema["$id"], resource))
        beside = SPEC_URI.rsplit("/", 1)[0] + "/" + path.name
        if beside != schema["$id"]:
            resources.append((beside, resource))
    registry = Registry().with_resources(resources)

    def pointer(*parts):
        return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)

    failures = []
    count = 0
    for line in pathlib.Path(exchanges_path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        count += 1
        x = json.loads(line)
        where = f'{x["method"]} {x["template"]} -> {x["status"]}'
        operation = spec["paths"].get(x["template"], {}).get(x["method"].lower())
        if operation is None:
            failures.append(f"{where}: the path and method are not in the spec")
            continue
        status = str(x["status"])
        response = operation["responses"].get(status)
        if response is None:
            failures.append(f"{where}: status {status} is not documented")
            continue
        base = ["paths", x["template"], x["method"].lower(), "responses", status]
        if "$ref" in response:
            ref = response["$ref"]
            base = ref[2:].split("/")
            response = spec
            for part in base:
                response = response[part]
        media = x["contentType"].split(";")[0].strip()
        if media not in response.get("content", {}):
            if x["status"] == 304 and not response.get("content"):
                continue
            failures.append(f"{where}: media type {media} is not documented")
            continue
        if not media.endswith("json"):
            continue
        ref = {"$ref": SPEC_URI + "#/" + pointer(*base, "content", media, "schema")}
        validator = Draft202012Validator(ref, registry=registry)
        body = json.loads(x["body"])
        for error in validator.iter_errors(body):
            failures.append(f"{where}: {error.json_path}: {error.message[:300]}")
    for failure in failures:
        print(failure)
    print(f"{count} exchanges checked, {len(failures)} failures")
    sys.exit(1 if failures or count == 0 else 0)


if __name__ == "__main__":
    main()
