#!/usr/bin/env python3
"""Generates a synthetic serverless monorepo for the benchmark, deterministically.

    bench/generate.py OUT --services N [--seed S] [--sam-only]

Each service is a folder with a SAM `template.yaml` (or a `serverless.yml`) declaring one to three
functions, their handlers in TypeScript, Python or Rust, and a data-access module of the kind a
team writes next to them. Anti-patterns are planted at fixed rates (PLANT_RATES) and every planted
one is written to OUT/planted.json, so a run can check that faaslint finds exactly those.

The same seed and arguments give the same bytes, on any machine.
"""

import argparse
import json
import random
from collections import Counter
from pathlib import Path

from handlers import (
    camel,
    fake_secret,
    python_handler,
    python_model,
    rust_handler,
    rust_manifest,
    ts_handler,
    ts_model,
)

# Share of functions (FL301: of services) that get each anti-pattern. A function gets at most one
# handler-code anti-pattern and at most one template anti-pattern, so each plants one finding.
PLANT_RATES = {
    "FL101": 0.12,  # database connection opened in the handler
    "FL102": 0.10,  # SDK client created in the handler
    "FL202": 0.03,  # secret literal in handler code
    "FL401": 0.04,  # synchronous invoke of another function
    "FL201": 0.04,  # plaintext secret in the function's environment
    "FL501": 0.05,  # Python 3.12 API function without SnapStart
    "FL502": 0.02,  # SnapStart on a Node.js function
    "FL301": 0.03,  # catch-all route to one function (per service)
}
CODE_PLANTS = ["FL101", "FL102", "FL202", "FL401"]
TEMPLATE_PLANTS = ["FL201", "FL501", "FL502"]

ENTITIES = [
    "order", "invoice", "customer", "shipment", "payment", "product", "review", "booking",
    "ticket", "subscription", "coupon", "refund", "account", "device", "reading", "alert",
    "report", "session", "upload", "message", "contract", "vendor", "warehouse", "route",
]
DOMAINS = [
    "billing", "catalog", "checkout", "fleet", "identity", "inventory", "ledger", "loyalty",
    "media", "notify", "orders", "partners", "pricing", "search", "shipping", "support",
]
FIELDS = [
    ("status", "string"), ("amount", "number"), ("currency", "string"), ("quantity", "number"),
    ("email", "string"), ("note", "string"), ("priority", "number"), ("region", "string"),
    ("sku", "string"), ("reference", "string"), ("weight", "number"), ("channel", "string"),
]
ACTIONS = ["create", "get", "list", "update", "process"]


class Service:
    """One service folder: its functions, their handler files and what was planted."""

    def __init__(self, rng, index, language, flavor):
        self.rng = rng
        self.name = f"{rng.choice(DOMAINS)}-{index:05d}"
        self.language = language
        self.flavor = flavor
        self.entity = rng.choice(ENTITIES)
        self.fields = rng.sample(FIELDS, 5)
        self.actions = rng.sample(ACTIONS, rng.randint(1, 3))
        self.catch_all = rng.random() < PLANT_RATES["FL301"] and language != "rust"
        self.plants = {}  # action -> (code plant or None, template plant or None)
        for action in self.actions:
            code = pick(rng, CODE_PLANTS)
            template = pick(rng, TEMPLATE_PLANTS)
            if template == "FL502" and language != "typescript":
                template = None
            if template == "FL501" and language != "python":
                template = None
            if template == "FL501" and not self.is_api(action):
                template = None
            if self.catch_all and action == self.actions[0]:
                code = None  # the whole app is the finding (FL301)
            self.plants[action] = (code, template)

    def is_api(self, action):
        return action != "process"

    def function_name(self, action):
        return f"{camel(action)}{camel(self.entity)}Function"


def pick(rng, codes):
    """At most one of `codes`, each with its own rate."""
    roll = rng.random()
    for code in codes:
        if roll < PLANT_RATES[code]:
            return code
        roll -= PLANT_RATES[code]
    return None


# --- templates ---------------------------------------------------------------------------------


def sam_template(svc):
    table = f"{camel(svc.entity)}Table"
    lines = [
        'AWSTemplateFormatVersion: "2010-09-09"',
        "Transform: AWS::Serverless-2016-10-31",
        f"Description: {svc.name} - {svc.entity} service",
        "",
        "Parameters:",
        "  Stage:",
        "    Type: String",
        "    AllowedValues: [dev, staging, prod]",
        "    Default: dev",
        "",
        "Globals:",
        "  Function:",
        "    Timeout: 15",
        "    MemorySize: 512",
        "    Tracing: Active",
        "    Architectures: [arm64]",
        "",
        "Resources:",
        *dynamodb_table(table, "  "),
        f"  {camel(svc.entity)}DeadLetterQueue:",
        "    Type: AWS::SQS::Queue",
        "",
    ]
    for action in svc.actions:
        lines += sam_function(svc, action, table)
    lines += ["Outputs:", "  TableName:", f"    Value: !Ref {table}", ""]
    return "\n".join(lines)


def dynamodb_table(logical_id, indent, table_name=None):
    """A pay-per-request table keyed by `pk`, as YAML lines indented by `indent`."""
    lines = [f"{logical_id}:", "  Type: AWS::DynamoDB::Table", "  Properties:"]
    if table_name:
        lines.append(f"    TableName: {table_name}")
    lines += [
        "    BillingMode: PAY_PER_REQUEST",
        "    AttributeDefinitions:",
        "      - AttributeName: pk",
        "        AttributeType: S",
        "    KeySchema:",
        "      - AttributeName: pk",
        "        KeyType: HASH",
    ]
    return [indent + line for line in lines] + [""]


def runtime_of(svc, template_plant):
    if svc.language == "typescript":
        return "nodejs22.x"
    if svc.language == "rust":
        return "provided.al2023"
    return "python3.12" if template_plant == "FL501" else "python3.11"


def sam_function(svc, action, table):
    _, template_plant = svc.plants[action]
    out = [f"  {svc.function_name(action)}:", "    Type: AWS::Serverless::Function"]
    if svc.language == "rust":
        out += ["    Metadata:", "      BuildMethod: rust-cargolambda"]
    elif svc.language == "typescript":
        out += [
            "    Metadata:",
            "      BuildMethod: esbuild",
            "      BuildProperties:",
            "        Minify: true",
            "        Target: es2022",
            "        EntryPoints:",
            f"          - src/handlers/{action}.ts",
        ]
    out.append("    Properties:")
    if svc.language == "rust":
        out += [f"      CodeUri: functions/{action}", "      Handler: bootstrap"]
    elif svc.language == "typescript":
        out += ["      CodeUri: .", f"      Handler: {action}.handler"]
    else:
        out += ["      CodeUri: src/", f"      Handler: handlers.{action}.lambda_handler"]
    out.append(f"      Runtime: {runtime_of(svc, template_plant)}")
    if template_plant == "FL502":
        out += ["      AutoPublishAlias: live", "      SnapStart:", "        ApplyOn: PublishedVersions"]
    out += [
        "      Environment:",
        "        Variables:",
        f"          TABLE_NAME: !Ref {table}",
        "          STAGE: !Ref Stage",
        f"          POWERTOOLS_SERVICE_NAME: {svc.name}",
        f"          DB_SECRET_ARN: !Sub arn:aws:secretsmanager:${{AWS::Region}}:${{AWS::AccountId}}:secret:{svc.name}/db",
    ]
    if template_plant == "FL201":
        out.append(f"          PAYMENTS_API_KEY: {fake_secret(svc.rng, 'sk_live_')}")
    if code_plant_of(svc, action) == "FL401":
        out.append(f"          PRICING_FUNCTION: {svc.name}-pricing")
    out += [
        "      Policies:",
        "        - DynamoDBCrudPolicy:",
        f"            TableName: !Ref {table}",
        "      DeadLetterQueue:",
        "        Type: SQS",
        f"        TargetArn: !GetAtt {camel(svc.entity)}DeadLetterQueue.Arn",
        "      Events:",
    ]
    out += sam_events(svc, action)
    out.append("")
    return out


def code_plant_of(svc, action):
    return svc.plants[action][0]


def sam_events(svc, action):
    path = f"/{svc.entity}s"
    if svc.catch_all and action == svc.actions[0]:
        return ["        Proxy:", "          Type: Api", "          Properties:",
                "            Path: /{proxy+}", "            Method: ANY"]
    if action == "process":
        return ["        Queue:", "          Type: SQS", "          Properties:",
                f"            Queue: !GetAtt {camel(svc.entity)}DeadLetterQueue.Arn",
                "            BatchSize: 10"]
    method, suffix = {
        "create": ("POST", ""),
        "get": ("GET", "/{id}"),
        "list": ("GET", ""),
        "update": ("PUT", "/{id}"),
    }[action]
    return [f"        {camel(action)}:", "          Type: HttpApi", "          Properties:",
            f"            Path: {path}{suffix}", f"            Method: {method}"]


def serverless_yml(svc):
    runtime = "nodejs22.x" if svc.language == "typescript" else "python3.11"
    lines = [
        f"service: {svc.name}",
        "frameworkVersion: '3'",
        "",
        "provider:",
        "  name: aws",
        f"  runtime: {runtime}",
        "  region: eu-west-1",
        "  stage: ${opt:stage, 'dev'}",
        "  memorySize: 512",
        "  environment:",
        f"    TABLE_NAME: ${{self:service}}-${{sls:stage}}-{svc.entity}s",
        f"    POWERTOOLS_SERVICE_NAME: {svc.name}",
        "",
        "functions:",
    ]
    for action in svc.actions:
        code_plant, template_plant = svc.plants[action]
        handler = (
            f"src/handlers/{action}.handler"
            if svc.language == "typescript"
            else f"src/handlers/{action}.lambda_handler"
        )
        lines += [f"  {action}{camel(svc.entity)}:", f"    handler: {handler}"]
        env = []
        if template_plant == "FL201":
            env.append(f"      PAYMENTS_API_KEY: {fake_secret(svc.rng, 'sk_live_')}")
        if code_plant == "FL401":
            env.append(f"      PRICING_FUNCTION: {svc.name}-pricing")
        if env:
            lines += ["    environment:"] + env
        lines.append("    events:")
        if svc.catch_all and action == svc.actions[0]:
            lines += ["      - httpApi: '*'"]
        elif action == "process":
            lines += ["      - sqs:", f"          arn: arn:aws:sqs:eu-west-1:123456789012:{svc.name}-jobs"]
        else:
            method = {"create": "post", "get": "get", "list": "get", "update": "put"}[action]
            suffix = "/{id}" if action in ("get", "update") else ""
            lines += ["      - httpApi:", f"          path: /{svc.entity}s{suffix}", f"          method: {method}"]
    lines += [
        "",
        "resources:",
        "  Resources:",
        *dynamodb_table(
            f"{camel(svc.entity)}Table",
            "    ",
            f"${{self:service}}-${{sls:stage}}-{svc.entity}s",
        ),
    ]
    return "\n".join(lines)


def terraform_module(svc):
    """main.tf and variables.tf of a service declared in Terraform: one archive and function per
    action, an HTTP API with a route per API action; plants as in SAM (FL201 through a variable's
    default, FL501 Python 3.12 behind a route, FL502 `snap_start` on Node.js, FL301 `$default`)."""
    table = f"{svc.entity}s"
    main = [
        f"# {svc.name} - {svc.entity} service",
        f'resource "aws_dynamodb_table" "{table}" {{',
        f'  name         = "{svc.name}-{table}"',
        '  billing_mode = "PAY_PER_REQUEST"',
        '  hash_key     = "id"',
        "  attribute {",
        '    name = "id"',
        '    type = "S"',
        "  }",
        "}",
        "",
        f'resource "aws_apigatewayv2_api" "http" {{',
        f'  name          = "{svc.name}"',
        '  protocol_type = "HTTP"',
        "}",
        "",
    ]
    variables = [
        'variable "stage" {',
        "  type    = string",
        '  default = "dev"',
        "}",
        "",
    ]
    for action in svc.actions:
        code_plant, template_plant = svc.plants[action]
        name = f"{action}_{svc.entity}"
        if svc.language == "typescript":
            source, handler = "${path.module}", f"dist/handlers/{action}.handler"
        elif svc.language == "python":
            source, handler = "${path.module}/src", f"handlers.{action}.lambda_handler"
        else:
            source, handler = f"${{path.module}}/functions/{action}", "bootstrap"
        main += [
            f'data "archive_file" "{name}" {{',
            '  type        = "zip"',
            f'  source_dir  = "{source}"',
            f'  output_path = "${{path.module}}/build/{name}.zip"',
            "}",
            "",
            f'resource "aws_lambda_function" "{name}" {{',
            f'  function_name    = "{svc.name}-{action}-${{var.stage}}"',
            '  role             = aws_iam_role.lambda.arn',
            f"  filename         = data.archive_file.{name}.output_path",
            f"  source_code_hash = data.archive_file.{name}.output_base64sha256",
            f'  handler          = "{handler}"',
            f'  runtime          = "{runtime_of(svc, template_plant)}"',
            "  memory_size      = 512",
            "  timeout          = 15",
            '  architectures    = ["arm64"]',
        ]
        if template_plant == "FL502":
            main += ["  publish          = true", "", "  snap_start {", '    apply_on = "PublishedVersions"', "  }"]
        env = [
            f"      TABLE_NAME              = aws_dynamodb_table.{table}.name",
            "      STAGE                   = var.stage",
            f'      POWERTOOLS_SERVICE_NAME = "{svc.name}"',
        ]
        if template_plant == "FL201":
            env.append("      PAYMENTS_API_KEY        = var.payments_api_key")
            variables += [
                'variable "payments_api_key" {',
                "  type    = string",
                f'  default = "{fake_secret(svc.rng, "sk_live_")}"',
                "}",
                "",
            ]
        if code_plant == "FL401":
            env.append(f'      PRICING_FUNCTION        = "{svc.name}-pricing"')
        main += ["", "  environment {", "    variables = {", *env, "    }", "  }", "}", ""]
        if action == "process" and not (svc.catch_all and action == svc.actions[0]):
            main += [
                f'resource "aws_sqs_queue" "{name}" {{',
                f'  name = "{svc.name}-jobs"',
                "}",
                "",
                f'resource "aws_lambda_event_source_mapping" "{name}" {{',
                f"  event_source_arn = aws_sqs_queue.{name}.arn",
                f"  function_name    = aws_lambda_function.{name}.arn",
                "  batch_size       = 10",
                "}",
                "",
            ]
            continue
        if svc.catch_all and action == svc.actions[0]:
            route = "$default"
        else:
            method = {"create": "POST", "get": "GET", "list": "GET", "update": "PUT"}[action]
            suffix = "/{id}" if action in ("get", "update") else ""
            route = f"{method} /{svc.entity}s{suffix}"
        main += [
            f'resource "aws_apigatewayv2_integration" "{name}" {{',
            "  api_id                 = aws_apigatewayv2_api.http.id",
            '  integration_type       = "AWS_PROXY"',
            f"  integration_uri        = aws_lambda_function.{name}.invoke_arn",
            '  payload_format_version = "2.0"',
            "}",
            "",
            f'resource "aws_apigatewayv2_route" "{name}" {{',
            "  api_id    = aws_apigatewayv2_api.http.id",
            f'  route_key = "{route}"',
            f'  target    = "integrations/${{aws_apigatewayv2_integration.{name}.id}}"',
            "}",
            "",
        ]
    main += [
        'resource "aws_iam_role" "lambda" {',
        f'  name               = "{svc.name}-lambda"',
        "  assume_role_policy = data.aws_iam_policy_document.assume.json",
        "}",
        "",
    ]
    return "\n".join(main), "\n".join(variables)


def cdk_stack(svc):
    """lib/stack.ts of a service declared with the CDK in TypeScript: one function construct per
    action, an HTTP API with a route per API action (a `LambdaRestApi`, proxy by default, for the
    catch-all service); plants as in SAM."""
    lines = [
        "import * as path from 'path';",
        "import * as cdk from 'aws-cdk-lib';",
        "import { Construct } from 'constructs';",
        "import * as lambda from 'aws-cdk-lib/aws-lambda';",
        "import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';",
        "import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';",
        "import * as apigw from 'aws-cdk-lib/aws-apigateway';",
        "import { HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';",
        "import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';",
        "import { RustFunction } from 'cargo-lambda-cdk';",
        "",
        f"export class {camel(svc.name.split('-')[0])}Stack extends cdk.Stack {{",
        "  constructor(scope: Construct, id: string, props?: cdk.StackProps) {",
        "    super(scope, id, props);",
        "",
        f"    const table = new dynamodb.TableV2(this, '{camel(svc.entity)}Table', {{",
        "      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },",
        "    });",
        "    const api = new HttpApi(this, 'Api');",
        "",
    ]
    for action in svc.actions:
        code_plant, template_plant = svc.plants[action]
        var = f"{action}Fn"
        env = ["        TABLE_NAME: table.tableName,", f"        POWERTOOLS_SERVICE_NAME: '{svc.name}',"]
        if template_plant == "FL201":
            env.append(f"        PAYMENTS_API_KEY: '{fake_secret(svc.rng, 'sk_live_')}',")
        if code_plant == "FL401":
            env.append(f"        PRICING_FUNCTION: '{svc.name}-pricing',")
        name = svc.function_name(action)
        if svc.language == "typescript":
            lines += [
                f"    const {var} = new NodejsFunction(this, '{name}', {{",
                f"      entry: path.join(__dirname, '../src/handlers/{action}.ts'),",
                "      runtime: lambda.Runtime.NODEJS_22_X,",
            ]
            if template_plant == "FL502":
                lines.append("      snapStart: lambda.SnapStartConf.ON_PUBLISHED_VERSIONS,")
        elif svc.language == "python":
            runtime = "PYTHON_3_12" if template_plant == "FL501" else "PYTHON_3_11"
            lines += [
                f"    const {var} = new lambda.Function(this, '{name}', {{",
                f"      runtime: lambda.Runtime.{runtime},",
                f"      handler: 'handlers.{action}.lambda_handler',",
                "      code: lambda.Code.fromAsset(path.join(__dirname, '../src')),",
            ]
        else:
            lines += [
                f"    const {var} = new RustFunction(this, '{name}', {{",
                f"      manifestPath: path.join(__dirname, '../functions/{action}/Cargo.toml'),",
            ]
        lines += [
            "      memorySize: 512,",
            "      timeout: cdk.Duration.seconds(15),",
            "      environment: {",
            *env,
            "      },",
            "    });",
            f"    table.grantReadWriteData({var});",
        ]
        if svc.catch_all and action == svc.actions[0]:
            lines.append(f"    new apigw.LambdaRestApi(this, 'Proxy', {{ handler: {var} }});")
        elif action != "process":
            method = {"create": "POST", "get": "GET", "list": "GET", "update": "PUT"}[action]
            suffix = "/{id}" if action in ("get", "update") else ""
            lines += [
                "    api.addRoutes({",
                f"      path: '/{svc.entity}s{suffix}',",
                f"      methods: [HttpMethod.{method}],",
                f"      integration: new HttpLambdaIntegration('{camel(action)}Integration', {var}),",
                "    });",
            ]
        lines.append("")
    lines += ["  }", "}", ""]
    return "\n".join(lines)


def fix_template_plants(svc):
    """serverless.yml has no SnapStart on Node.js nor Python 3.12 here: drop those plants."""
    for action, (code, template) in svc.plants.items():
        if template in ("FL501", "FL502"):
            svc.plants[action] = (code, None)


def write(path, text, stats, kind="other"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    size = len(text.encode())
    stats["bytes"] += size
    stats[f"{kind}_bytes"] += size
    stats["files"] += 1


def generate(out, services, seed, sam_only=False, terraform=False, cdk=False):
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    planted = Counter()
    stats = Counter()
    for index in range(services):
        language = rng.choices(["typescript", "python", "rust"], weights=[45, 35, 20])[0]
        # Drawn for every service, so that each flavour of the set plants the same findings.
        serverless = not sam_only and language != "rust" and rng.random() < 0.2
        serverless = serverless and not (terraform or cdk)
        svc = Service(rng, index, language, "serverless" if serverless else "sam")
        if serverless:
            fix_template_plants(svc)
        root = out / "services" / svc.name
        if cdk:
            write(root / "cdk.json", '{ "app": "npx ts-node bin/app.ts" }\n', stats, "template")
            write(root / "lib" / "stack.ts", cdk_stack(svc), stats, "template")
        elif terraform:
            main_tf, variables_tf = terraform_module(svc)
            write(root / "main.tf", main_tf, stats, "template")
            write(root / "variables.tf", variables_tf, stats, "template")
        elif serverless:
            write(root / "serverless.yml", serverless_yml(svc), stats, "template")
        else:
            write(root / "template.yaml", sam_template(svc), stats, "template")
        stats["templates"] += 1
        for action in svc.actions:
            code_plant, template_plant = svc.plants[action]
            planted.update(p for p in (code_plant, template_plant) if p)
            catch_all = svc.catch_all and action == svc.actions[0]
            if svc.language == "typescript":
                text = ts_handler(svc, action, code_plant, catch_all)
                write(root / "src" / "handlers" / f"{action}.ts", text, stats, "code")
            elif svc.language == "python":
                text = python_handler(svc, action, code_plant, catch_all)
                write(root / "src" / "handlers" / f"{action}.py", text, stats, "code")
            else:
                crate = root / "functions" / action
                write(crate / "Cargo.toml", rust_manifest(svc, action), stats)
                text = rust_handler(svc, action, code_plant)
                write(crate / "src" / "main.rs", text, stats, "code")
        if svc.catch_all:
            planted["FL301"] += 1
        if svc.language == "typescript":
            write(root / "src" / "lib" / f"{svc.entity}-repository.ts", ts_model(svc), stats, "code")
        elif svc.language == "python":
            write(root / "src" / "handlers" / "__init__.py", "", stats, "code")
            write(root / "src" / f"{svc.entity}_repository.py", python_model(svc), stats, "code")
        stats["functions"] += len(svc.actions)
    summary = {
        "seed": seed,
        "services": services,
        "functions": stats["functions"],
        "templates": stats["templates"],
        "files": stats["files"],
        "bytes": stats["bytes"],
        "code_bytes": stats["code_bytes"],
        "template_bytes": stats["template_bytes"],
        "planted": dict(sorted(planted.items())),
    }
    (out / "planted.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def conditions_template(rng, index, conditions, depth):
    """A SAM template with `conditions` conditions, functions whose runtime and environment are
    `!If` chains `depth` deep over them, mappings picked by parameters, and one plaintext secret
    behind the innermost branch of one variable (the planted FL201)."""
    stages = ["dev", "test", "staging", "prod"]
    lines = [
        "AWSTemplateFormatVersion: '2010-09-09'",
        "Transform: AWS::Serverless-2016-10-31",
        f"Description: condition-heavy service {index}",
        "Parameters:",
        "  Stage:",
        "    Type: String",
        f"    AllowedValues: [{', '.join(stages)}]",
        "    Default: dev",
    ]
    for flag in range(conditions // 4):
        lines += [f"  Feature{flag}:", "    Type: String", "    AllowedValues: ['true', 'false']",
                  "    Default: 'false'"]
    lines += ["Mappings:", "  StageConfig:"]
    for stage in stages:
        lines += [f"    {stage}:", f"      LogLevel: {rng.choice(['debug', 'info', 'warn'])}",
                  f"      Memory: '{rng.choice([512, 1024, 2048])}'",
                  f"      Endpoint: https://{stage}.api{index}.example.com"]
    lines.append("Conditions:")
    for number in range(conditions):
        kind = number % 4
        if kind == 0:
            body = f"!Equals [!Ref Stage, {stages[number % len(stages)]}]"
        elif kind == 1:
            body = f"!Equals [!Ref Feature{number // 4}, 'true']"
        elif kind == 2:
            body = f"!And [{{Condition: C{number - 1}}}, {{Condition: C{number - 2}}}]"
        else:
            body = f"!Or [{{Condition: C{number - 3}}}, !Not [{{Condition: C{number - 1}}}]]"
        lines.append(f"  C{number}: {body}")

    def chain(leaves, start):
        """`!If [C_start, leaf0, !If [C_start+1, leaf1, ...]]`, as deep as the leaves."""
        text = leaves[-1]
        for offset, leaf in reversed(list(enumerate(leaves[:-1]))):
            text = f"!If [C{(start + offset) % conditions}, {leaf}, {text}]"
        return text

    lines.append("Resources:")
    functions = max(2, conditions // 40)
    planted = 0
    for number in range(functions):
        start = rng.randrange(conditions)
        runtimes = [rng.choice(["python3.12", "python3.13", "nodejs22.x"]) for _ in range(depth)]
        lines += [
            f"  Function{number}:",
            "    Type: AWS::Serverless::Function",
            f"    Condition: C{rng.randrange(conditions)}",
            "    Properties:",
            "      Handler: app.handler",
            f"      Runtime: {chain(runtimes, start)}",
            "      MemorySize: !FindInMap [StageConfig, !Ref Stage, Memory]",
            "      Environment:",
            "        Variables:",
            "          LOG_LEVEL: !FindInMap [StageConfig, !Ref Stage, LogLevel]",
            "          API_URL: !Sub ['${Endpoint}/v1', {Endpoint: !FindInMap [StageConfig, !Ref Stage, Endpoint]}]",
        ]
        for variable in range(6):
            leaves = [f"value-{variable}-{leaf}" for leaf in range(depth - 1)] + ["!Ref AWS::NoValue"]
            lines.append(f"          SETTING_{variable}: {chain(leaves, start + variable)}")
        if number == 0:
            secret = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(24))
            leaves = [f"!Ref Param{leaf}" for leaf in range(depth - 1)] + [f"'sk_live_{secret}'"]
            lines.append(f"          STRIPE_SECRET_KEY: {chain(leaves, start)}")
            planted += 1
        lines += ["      Events:", "        Api:", "          Type: HttpApi", "          Properties:",
                  f"            Path: /items/{number}", "            Method: GET"]
    return "\n".join(lines) + "\n", planted, functions


def generate_conditions(out, templates, conditions, depth, seed):
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    stats = Counter()
    planted = Counter()
    functions = 0
    for index in range(templates):
        text, secrets, count = conditions_template(rng, index, conditions, depth)
        write(out / f"service-{index:03}" / "template.yaml", text, stats, "template")
        planted["FL201"] += secrets
        functions += count
    summary = {
        "seed": seed,
        "templates": templates,
        "conditions_per_template": conditions,
        "if_depth": depth,
        "functions": functions,
        "files": stats["files"],
        "bytes": stats["bytes"],
        "code_bytes": 0,
        "planted": dict(planted),
    }
    (out / "planted.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--sam-only", action="store_true", help="no serverless.yml services")
    parser.add_argument("--terraform", action="store_true", help="every service in Terraform")
    parser.add_argument("--cdk", action="store_true", help="every service in CDK (TypeScript)")
    parser.add_argument("--conditions", type=int,
                        help="instead: condition-heavy SAM templates (--services of them) with this "
                             "many conditions each")
    parser.add_argument("--if-depth", type=int, default=12, help="with --conditions: !If nesting")
    args = parser.parse_args()
    if args.conditions:
        summary = generate_conditions(args.out, args.services, args.conditions, args.if_depth, args.seed)
        print(json.dumps(summary))
        return
    summary = generate(args.out, args.services, args.seed, args.sam_only, args.terraform, args.cdk)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
