"""Handler and data-access code for bench/generate.py: TypeScript, Python and Rust, written the
way teams write Lambda handlers, with an optional planted anti-pattern (an FL code) each."""



def camel(name):
    return name[:1].upper() + name[1:]


def fake_secret(rng, prefix, length=24):
    """A made-up key in a real key's format, so secret rules see it as one."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
    return prefix + "".join(rng.choice(alphabet) for _ in range(length))


# --- TypeScript --------------------------------------------------------------------------------


def ts_fields(svc, indent):
    pad = " " * indent
    return "\n".join(f"{pad}{name}: {kind};" for name, kind in svc.fields)


def ts_validations(svc):
    out = []
    for name, kind in svc.fields:
        if kind == "number":
            out.append(
                f"  if (typeof input.{name} !== \"number\" || Number.isNaN(input.{name})) {{\n"
                f"    problems.push(\"{name} must be a number\");\n"
                f"  }} else if (input.{name} < 0) {{\n"
                f"    problems.push(\"{name} cannot be negative\");\n  }}"
            )
        else:
            out.append(
                f"  if (typeof input.{name} !== \"string\" || input.{name}.trim() === \"\") {{\n"
                f"    problems.push(\"{name} is required\");\n"
                f"  }} else if (input.{name}.length > 256) {{\n"
                f"    problems.push(\"{name} is longer than 256 characters\");\n  }}"
            )
    return "\n".join(out)


def ts_attribute(name, kind):
    if kind == "number":
        return "{ N: String(item.%s) }" % name
    return "{ S: item.%s }" % name


def ts_reader(name, kind):
    if kind == "number":
        return "Number(raw.%s?.N ?? 0)" % name
    return 'raw.%s?.S ?? ""' % name


def ts_model(svc):
    Entity = camel(svc.entity)
    attributes = "\n".join(f"    {name}: {ts_attribute(name, kind)}," for name, kind in svc.fields)
    readers = "\n".join(f"    {name}: {ts_reader(name, kind)}," for name, kind in svc.fields)
    return f"""import {{
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
}} from "@aws-sdk/client-dynamodb";
import {{ randomUUID }} from "node:crypto";

export interface {Entity} {{
  id: string;
{ts_fields(svc, 2)}
  createdAt: string;
  updatedAt: string;
}}

export type {Entity}Input = Omit<{Entity}, "id" | "createdAt" | "updatedAt">;

export class ValidationError extends Error {{
  constructor(public readonly problems: string[]) {{
    super(`invalid {svc.entity}: ${{problems.join(", ")}}`);
    this.name = "ValidationError";
  }}
}}

export class NotFoundError extends Error {{
  constructor(id: string) {{
    super(`{svc.entity} ${{id}} not found`);
    this.name = "NotFoundError";
  }}
}}

export function validate{Entity}(input: Partial<{Entity}Input>): {Entity}Input {{
  const problems: string[] = [];
{ts_validations(svc)}
  if (problems.length > 0) {{
    throw new ValidationError(problems);
  }}
  return input as {Entity}Input;
}}

function toItem(item: {Entity}): Record<string, AttributeValue> {{
  return {{
    pk: {{ S: `{svc.entity.upper()}#${{item.id}}` }},
    id: {{ S: item.id }},
{attributes}
    createdAt: {{ S: item.createdAt }},
    updatedAt: {{ S: item.updatedAt }},
  }};
}}

function fromItem(raw: Record<string, AttributeValue>): {Entity} {{
  return {{
    id: raw.id?.S ?? "",
{readers}
    createdAt: raw.createdAt?.S ?? "",
    updatedAt: raw.updatedAt?.S ?? "",
  }};
}}

export class {Entity}Repository {{
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {{}}

  async create(input: {Entity}Input): Promise<{Entity}> {{
    const now = new Date().toISOString();
    const item: {Entity} = {{ ...input, id: randomUUID(), createdAt: now, updatedAt: now }};
    await this.client.send(
      new PutItemCommand({{
        TableName: this.tableName,
        Item: toItem(item),
        ConditionExpression: "attribute_not_exists(pk)",
      }}),
    );
    return item;
  }}

  async get(id: string): Promise<{Entity}> {{
    const result = await this.client.send(
      new GetItemCommand({{ TableName: this.tableName, Key: {{ pk: {{ S: `{svc.entity.upper()}#${{id}}` }} }} }}),
    );
    if (!result.Item) {{
      throw new NotFoundError(id);
    }}
    return fromItem(result.Item);
  }}

  async list(limit = 50, cursor?: string): Promise<{{ items: {Entity}[]; cursor?: string }}> {{
    const result = await this.client.send(
      new QueryCommand({{
        TableName: this.tableName,
        KeyConditionExpression: "begins_with(pk, :prefix)",
        ExpressionAttributeValues: {{ ":prefix": {{ S: "{svc.entity.upper()}#" }} }},
        Limit: Math.min(Math.max(limit, 1), 100),
        ExclusiveStartKey: cursor ? JSON.parse(Buffer.from(cursor, "base64url").toString()) : undefined,
      }}),
    );
    const next = result.LastEvaluatedKey
      ? Buffer.from(JSON.stringify(result.LastEvaluatedKey)).toString("base64url")
      : undefined;
    return {{ items: (result.Items ?? []).map(fromItem), cursor: next }};
  }}

  async touch(id: string): Promise<void> {{
    await this.client.send(
      new UpdateItemCommand({{
        TableName: this.tableName,
        Key: {{ pk: {{ S: `{svc.entity.upper()}#${{id}}` }} }},
        UpdateExpression: "SET updatedAt = :now",
        ExpressionAttributeValues: {{ ":now": {{ S: new Date().toISOString() }} }},
      }}),
    );
  }}
}}
"""


TS_PLANT_IMPORTS = {
    "FL101": 'import { Pool } from "pg";\n',
    "FL102": 'import { S3Client, PutObjectCommand } from "@aws-sdk/client-s3";\n',
    "FL401": 'import { LambdaClient, InvokeCommand } from "@aws-sdk/client-lambda";\n',
    "FL202": "",
}


def ts_plant_module(svc, plant):
    if plant == "FL401":
        return "const lambda = new LambdaClient({});\n"
    if plant == "FL202":
        return f'const PARTNER_API_KEY = "{fake_secret(svc.rng, "sk_live_")}";\n'
    return ""


def ts_plant_body(svc, plant):
    if plant == "FL101":
        return (
            "  const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 1 });\n"
            f"  const audit = await pool.query(\"select count(*) from audit where entity = $1\", [\"{svc.entity}\"]);\n"
            "  logger.info(\"audit rows\", { rows: audit.rows.length });\n"
        )
    if plant == "FL102":
        return (
            "  const s3 = new S3Client({});\n"
            "  await s3.send(new PutObjectCommand({ Bucket: process.env.ARCHIVE_BUCKET, "
            f"Key: `{svc.entity}/${{Date.now()}}.json`, Body: JSON.stringify(event) }}));\n"
        )
    if plant == "FL401":
        return (
            "  const quote = await lambda.send(\n"
            "    new InvokeCommand({ FunctionName: process.env.PRICING_FUNCTION, Payload: Buffer.from(JSON.stringify(event)) }),\n"
            "  );\n"
            "  const price = JSON.parse(Buffer.from(quote.Payload ?? []).toString());\n"
            "  logger.info(\"priced\", { price });\n"
        )
    if plant == "FL202":
        return (
            "  const partner = await fetch(\"https://partner.example.com/v2/notify\", {\n"
            "    method: \"POST\",\n"
            "    headers: { authorization: `Bearer ${PARTNER_API_KEY}` },\n"
            "    body: JSON.stringify({ source: \"lambda\" }),\n"
            "  });\n"
            "  logger.info(\"partner notified\", { status: partner.status });\n"
        )
    return ""


def ts_handler(svc, action, plant, catch_all):
    Entity = camel(svc.entity)
    if catch_all:
        return ts_express_app(svc)
    body = {
        "create": f"""  const input = validate{Entity}(JSON.parse(event.body ?? "{{}}"));
  const created = await repository.create(input);
  metrics.addMetric("{Entity}Created", MetricUnit.Count, 1);
  return json(201, created);""",
        "get": f"""  const id = event.pathParameters?.id;
  if (!id) {{
    return json(400, {{ message: "id is required" }});
  }}
  return json(200, await repository.get(id));""",
        "list": """  const limit = Number(event.queryStringParameters?.limit ?? 50);
  const page = await repository.list(limit, event.queryStringParameters?.cursor);
  return json(200, page);""",
        "update": f"""  const id = event.pathParameters?.id;
  if (!id) {{
    return json(400, {{ message: "id is required" }});
  }}
  validate{Entity}(JSON.parse(event.body ?? "{{}}"));
  await repository.touch(id);
  return json(204, {{}});""",
        "process": f"""  for (const record of (event as unknown as SQSEvent).Records) {{
    const input = validate{Entity}(JSON.parse(record.body));
    await repository.create(input);
  }}
  return json(200, {{ processed: true }});""",
    }[action]
    return f"""import {{ DynamoDBClient }} from "@aws-sdk/client-dynamodb";
import {{ Logger }} from "@aws-lambda-powertools/logger";
import {{ Metrics, MetricUnit }} from "@aws-lambda-powertools/metrics";
import type {{ APIGatewayProxyEventV2, APIGatewayProxyResultV2, SQSEvent }} from "aws-lambda";
{TS_PLANT_IMPORTS.get(plant, "")}import {{ {Entity}Repository, NotFoundError, ValidationError, validate{Entity} }} from "../lib/{svc.entity}-repository";

const logger = new Logger({{ serviceName: "{svc.name}" }});
const metrics = new Metrics({{ namespace: "{svc.name}" }});
const repository = new {Entity}Repository(new DynamoDBClient({{}}), process.env.TABLE_NAME ?? "");
{ts_plant_module(svc, plant)}
function json(statusCode: number, body: unknown): APIGatewayProxyResultV2 {{
  return {{
    statusCode,
    headers: {{ "content-type": "application/json" }},
    body: JSON.stringify(body),
  }};
}}

async function {action}{Entity}(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> {{
{ts_plant_body(svc, plant)}{body}
}}

export const handler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> => {{
  logger.appendKeys({{ requestId: event.requestContext?.requestId }});
  try {{
    return await {action}{Entity}(event);
  }} catch (error) {{
    if (error instanceof ValidationError) {{
      return json(422, {{ message: error.message, problems: error.problems }});
    }}
    if (error instanceof NotFoundError) {{
      return json(404, {{ message: error.message }});
    }}
    logger.error("unexpected failure", error as Error);
    return json(500, {{ message: "internal error" }});
  }} finally {{
    metrics.publishStoredMetrics();
  }}
}};
"""


def ts_express_app(svc):
    Entity = camel(svc.entity)
    return f"""import express from "express";
import serverless from "serverless-http";
import {{ DynamoDBClient }} from "@aws-sdk/client-dynamodb";
import {{ {Entity}Repository, NotFoundError, ValidationError, validate{Entity} }} from "../lib/{svc.entity}-repository";

const repository = new {Entity}Repository(new DynamoDBClient({{}}), process.env.TABLE_NAME ?? "");
const app = express();
app.use(express.json());

app.get("/{svc.entity}s", async (req, res) => {{
  res.json(await repository.list(Number(req.query.limit ?? 50), req.query.cursor as string | undefined));
}});

app.get("/{svc.entity}s/:id", async (req, res) => {{
  try {{
    res.json(await repository.get(req.params.id));
  }} catch (error) {{
    res.status(error instanceof NotFoundError ? 404 : 500).json({{ message: (error as Error).message }});
  }}
}});

app.post("/{svc.entity}s", async (req, res) => {{
  try {{
    res.status(201).json(await repository.create(validate{Entity}(req.body)));
  }} catch (error) {{
    res.status(error instanceof ValidationError ? 422 : 500).json({{ message: (error as Error).message }});
  }}
}});

export const handler = serverless(app);
"""


# --- Python ------------------------------------------------------------------------------------


def python_model(svc):
    Entity = camel(svc.entity)
    checks = []
    for name, kind in svc.fields:
        if kind == "number":
            checks.append(
                f"    {name} = payload.get(\"{name}\")\n"
                f"    if not isinstance({name}, (int, float, Decimal)):\n"
                f"        problems.append(\"{name} must be a number\")\n"
                f"    elif {name} < 0:\n"
                f"        problems.append(\"{name} cannot be negative\")"
            )
        else:
            checks.append(
                f"    {name} = payload.get(\"{name}\")\n"
                f"    if not isinstance({name}, str) or not {name}.strip():\n"
                f"        problems.append(\"{name} is required\")\n"
                f"    elif len({name}) > 256:\n"
                f"        problems.append(\"{name} is longer than 256 characters\")"
            )
    fields = "\n".join(
        f"    {name}: {'Decimal' if kind == 'number' else 'str'}" for name, kind in svc.fields
    )
    return f'''"""Data access for {svc.entity}s: validation, mapping to DynamoDB items, queries."""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from boto3.dynamodb.conditions import Key


class ValidationError(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("invalid {svc.entity}: " + ", ".join(problems))
        self.problems = problems


class NotFoundError(Exception):
    pass


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


@dataclass
class {Entity}:
{fields}
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    created_at: str = field(default_factory=_now)
    updated_at: str = field(default_factory=_now)

    def to_item(self) -> dict[str, Any]:
        item = asdict(self)
        item["pk"] = f"{svc.entity.upper()}#{{self.id}}"
        return item

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> "{Entity}":
        item = dict(item)
        item.pop("pk", None)
        return cls(**item)


def validate_{svc.entity}(payload: dict[str, Any]) -> {Entity}:
    problems: list[str] = []
{chr(10).join(checks)}
    if problems:
        raise ValidationError(problems)
    return {Entity}(**{{name: payload[name] for name in {[name for name, _ in svc.fields]!r}}})


class {Entity}Repository:
    def __init__(self, table):
        self._table = table

    def create(self, {svc.entity}: {Entity}) -> {Entity}:
        self._table.put_item(
            Item={svc.entity}.to_item(),
            ConditionExpression="attribute_not_exists(pk)",
        )
        return {svc.entity}

    def get(self, {svc.entity}_id: str) -> {Entity}:
        response = self._table.get_item(Key={{"pk": f"{svc.entity.upper()}#{{{svc.entity}_id}}"}})
        if "Item" not in response:
            raise NotFoundError({svc.entity}_id)
        return {Entity}.from_item(response["Item"])

    def list(self, limit: int = 50, cursor: str | None = None) -> tuple[list[{Entity}], str | None]:
        query = {{
            "KeyConditionExpression": Key("pk").begins_with("{svc.entity.upper()}#"),
            "Limit": max(1, min(limit, 100)),
        }}
        if cursor:
            query["ExclusiveStartKey"] = json.loads(base64.urlsafe_b64decode(cursor))
        response = self._table.query(**query)
        last = response.get("LastEvaluatedKey")
        next_cursor = base64.urlsafe_b64encode(json.dumps(last).encode()).decode() if last else None
        return [{Entity}.from_item(item) for item in response.get("Items", [])], next_cursor

    def touch(self, {svc.entity}_id: str) -> None:
        self._table.update_item(
            Key={{"pk": f"{svc.entity.upper()}#{{{svc.entity}_id}}"}},
            UpdateExpression="SET updated_at = :now",
            ExpressionAttributeValues={{":now": _now()}},
        )
'''


PY_PLANT_IMPORTS = {"FL101": "import psycopg2\n"}


def py_plant_module(svc, plant):
    if plant == "FL401":
        return 'lambda_client = boto3.client("lambda")\n'
    if plant == "FL202":
        return f'PARTNER_API_KEY = "{fake_secret(svc.rng, "sk_live_")}"\n'
    return ""


def py_plant_body(svc, plant):
    if plant == "FL101":
        return (
            '    connection = psycopg2.connect(os.environ["DATABASE_URL"])\n'
            "    with connection.cursor() as cursor:\n"
            f'        cursor.execute("select count(*) from audit where entity = %s", ("{svc.entity}",))\n'
            '        logger.info("audit rows", extra={"rows": cursor.fetchone()[0]})\n'
        )
    if plant == "FL102":
        return (
            '    s3 = boto3.client("s3")\n'
            f'    s3.put_object(Bucket=os.environ["ARCHIVE_BUCKET"], Key=f"{svc.entity}/{{context.aws_request_id}}.json", '
            "Body=json.dumps(event))\n"
        )
    if plant == "FL401":
        return (
            "    response = lambda_client.invoke(\n"
            '        FunctionName=os.environ["PRICING_FUNCTION"],\n'
            "        Payload=json.dumps(event).encode(),\n"
            "    )\n"
            '    price = json.loads(response["Payload"].read())\n'
            '    logger.info("priced", extra={"price": price})\n'
        )
    if plant == "FL202":
        return (
            "    partner = urllib.request.Request(\n"
            '        "https://partner.example.com/v2/notify",\n'
            '        headers={"Authorization": f"Bearer {PARTNER_API_KEY}"},\n'
            '        data=b"{}",\n'
            "    )\n"
            "    urllib.request.urlopen(partner, timeout=3)\n"
        )
    return ""


def python_handler(svc, action, plant, catch_all):
    Entity = camel(svc.entity)
    e = svc.entity
    if catch_all:
        return python_fastapi_app(svc)
    body = {
        "create": f"""    {e} = validate_{e}(json.loads(event.get("body") or "{{}}", parse_float=Decimal))
    repository.create({e})
    metrics.add_metric(name="{Entity}Created", unit=MetricUnit.Count, value=1)
    return response(201, asdict({e}))""",
        "get": f"""    {e}_id = (event.get("pathParameters") or {{}}).get("id")
    if not {e}_id:
        return response(400, {{"message": "id is required"}})
    return response(200, asdict(repository.get({e}_id)))""",
        "list": f"""    params = event.get("queryStringParameters") or {{}}
    items, cursor = repository.list(int(params.get("limit", 50)), params.get("cursor"))
    return response(200, {{"items": [asdict(item) for item in items], "cursor": cursor}})""",
        "update": f"""    {e}_id = (event.get("pathParameters") or {{}}).get("id")
    if not {e}_id:
        return response(400, {{"message": "id is required"}})
    validate_{e}(json.loads(event.get("body") or "{{}}", parse_float=Decimal))
    repository.touch({e}_id)
    return response(204, {{}})""",
        "process": f"""    for record in event.get("Records", []):
        repository.create(validate_{e}(json.loads(record["body"], parse_float=Decimal)))
    return {{"processed": len(event.get("Records", []))}}""",
    }[action]
    return f'''"""{camel(action)} {e}s: {svc.name}."""

import json
import os
import urllib.request
from dataclasses import asdict
from decimal import Decimal

import boto3
{PY_PLANT_IMPORTS.get(plant, "")}from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

from {e}_repository import NotFoundError, ValidationError, {Entity}Repository, validate_{e}

logger = Logger(service="{svc.name}")
tracer = Tracer(service="{svc.name}")
metrics = Metrics(namespace="{svc.name}")
repository = {Entity}Repository(boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"]))
{py_plant_module(svc, plant)}

def response(status: int, body) -> dict:
    return {{
        "statusCode": status,
        "headers": {{"content-type": "application/json"}},
        "body": json.dumps(body, default=str),
    }}


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event, context):
    try:
        return {action}_{e}(event, context)
    except ValidationError as error:
        return response(422, {{"message": str(error), "problems": error.problems}})
    except NotFoundError:
        return response(404, {{"message": "not found"}})


def {action}_{e}(event, context):
{py_plant_body(svc, plant)}{body}
'''


def python_fastapi_app(svc):
    Entity = camel(svc.entity)
    e = svc.entity
    return f'''"""{svc.name}: the whole {e} API in one function."""

import os
from dataclasses import asdict

import boto3
from fastapi import FastAPI, HTTPException
from mangum import Mangum

from {e}_repository import NotFoundError, ValidationError, {Entity}Repository, validate_{e}

app = FastAPI(title="{svc.name}")
repository = {Entity}Repository(boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"]))


@app.get("/{e}s")
def list_{e}s(limit: int = 50, cursor: str | None = None):
    items, next_cursor = repository.list(limit, cursor)
    return {{"items": [asdict(item) for item in items], "cursor": next_cursor}}


@app.get("/{e}s/{{{e}_id}}")
def get_{e}({e}_id: str):
    try:
        return asdict(repository.get({e}_id))
    except NotFoundError:
        raise HTTPException(status_code=404)


@app.post("/{e}s", status_code=201)
def create_{e}(payload: dict):
    try:
        return asdict(repository.create(validate_{e}(payload)))
    except ValidationError as error:
        raise HTTPException(status_code=422, detail=error.problems)


lambda_handler = Mangum(app)
'''


# --- Rust --------------------------------------------------------------------------------------


def rust_manifest(svc, action):
    return f"""[package]
name = "{svc.name}-{action}"
version = "0.1.0"
edition = "2021"

[dependencies]
aws-config = {{ version = "1", features = ["behavior-version-latest"] }}
aws-sdk-dynamodb = "1"
aws-sdk-lambda = "1"
aws-sdk-s3 = "1"
lambda_http = "0.13"
serde = {{ version = "1", features = ["derive"] }}
serde_json = "1"
sqlx = {{ version = "0.8", features = ["runtime-tokio", "postgres"] }}
tokio = {{ version = "1", features = ["macros"] }}
tracing = "0.1"
tracing-subscriber = {{ version = "0.3", features = ["json"] }}
"""


def rust_plant_body(svc, plant):
    if plant == "FL101":
        return (
            "    let pool = PgPoolOptions::new().max_connections(1).connect(&std::env::var(\"DATABASE_URL\")?).await?;\n"
            "    let audit: (i64,) = sqlx::query_as(\"select count(*) from audit where entity = $1\")\n"
            f"        .bind(\"{svc.entity}\")\n"
            "        .fetch_one(&pool)\n"
            "        .await?;\n"
            "    tracing::info!(rows = audit.0, \"audit rows\");\n"
        )
    if plant == "FL102":
        return (
            "    let s3 = aws_sdk_s3::Client::new(&state.config);\n"
            f"    s3.put_object().bucket(std::env::var(\"ARCHIVE_BUCKET\")?).key(\"{svc.entity}/latest.json\")\n"
            "        .body(event.body().to_vec().into()).send().await?;\n"
        )
    if plant == "FL401":
        return (
            "    let quote = state.lambda.invoke()\n"
            "        .function_name(std::env::var(\"PRICING_FUNCTION\")?)\n"
            "        .payload(Blob::new(event.body().to_vec()))\n"
            "        .send()\n"
            "        .await?;\n"
            "    let price = quote.payload().map(|p| p.as_ref().len()).unwrap_or_default();\n"
            "    tracing::info!(price, \"priced\");\n"
        )
    if plant == "FL202":
        return (
            "    let authorization = format!(\"Bearer {PARTNER_API_KEY}\");\n"
            "    tracing::debug!(length = authorization.len(), \"partner authorization ready\");\n"
        )
    return ""


def rust_handler(svc, action, plant):
    Entity = camel(svc.entity)
    e = svc.entity
    fields = "\n".join(
        f"    {name}: {'f64' if kind == 'number' else 'String'}," for name, kind in svc.fields
    )
    attributes = "\n".join(
        f"        .item(\"{name}\", AttributeValue::{'N' if kind == 'number' else 'S'}({e}.{name}.to_string()))"
        for name, kind in svc.fields
    )
    checks = "\n".join(
        f"    if {e}.{name} < 0.0 {{\n        problems.push(\"{name} cannot be negative\");\n    }}"
        if kind == "number"
        else f"    if {e}.{name}.trim().is_empty() {{\n        problems.push(\"{name} is required\");\n    }}"
        for name, kind in svc.fields
    )
    secret = (
        f'const PARTNER_API_KEY: &str = "{fake_secret(svc.rng, "sk_live_")}";\n' if plant == "FL202" else ""
    )
    return f"""use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_lambda::primitives::Blob;
use lambda_http::{{run, service_fn, Body, Error, Request, RequestExt, Response}};
use serde::{{Deserialize, Serialize}};
use sqlx::postgres::PgPoolOptions;

{secret}
#[derive(Debug, Serialize, Deserialize)]
struct {Entity} {{
    id: String,
{fields}
}}

struct State {{
    config: aws_config::SdkConfig,
    dynamodb: aws_sdk_dynamodb::Client,
    lambda: aws_sdk_lambda::Client,
    table: String,
}}

fn validate({e}: &{Entity}) -> Result<(), Vec<&'static str>> {{
    let mut problems = Vec::new();
{checks}
    if problems.is_empty() {{
        Ok(())
    }} else {{
        Err(problems)
    }}
}}

fn json(status: u16, body: serde_json::Value) -> Result<Response<Body>, Error> {{
    Ok(Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))?)
}}

async fn {action}_{e}(state: &State, event: Request) -> Result<Response<Body>, Error> {{
{rust_plant_body(svc, plant)}    let id = event.path_parameters().first("id").unwrap_or_default().to_string();
    let {e}: {Entity} = match serde_json::from_slice(event.body()) {{
        Ok(value) => value,
        Err(error) => return json(400, serde_json::json!({{ "message": error.to_string(), "id": id }})),
    }};
    if let Err(problems) = validate(&{e}) {{
        return json(422, serde_json::json!({{ "problems": problems }}));
    }}
    state
        .dynamodb
        .put_item()
        .table_name(&state.table)
        .item("pk", AttributeValue::S(format!("{e.upper()}#{{}}", {e}.id)))
{attributes}
        .send()
        .await?;
    json(200, serde_json::to_value(&{e})?)
}}

#[tokio::main]
async fn main() -> Result<(), Error> {{
    tracing_subscriber::fmt().json().with_target(false).without_time().init();
    let config = aws_config::load_from_env().await;
    let state = State {{
        dynamodb: aws_sdk_dynamodb::Client::new(&config),
        lambda: aws_sdk_lambda::Client::new(&config),
        table: std::env::var("TABLE_NAME")?,
        config,
    }};
    run(service_fn(|event| {action}_{e}(&state, event))).await
}}
"""
