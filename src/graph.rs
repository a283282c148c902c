//! The application as a graph: what triggers each function (APIs, URLs, queues, buckets,
//! topics, streams, schedules) and what each function's code writes to or invokes, resolved
//! through the environment variable that names the target (`Bucket: process.env.OUTPUT_BUCKET`
//! with `OUTPUT_BUCKET: !Ref UploadsBucket`). A target that cannot be resolved is an unknown
//! node, never a guess. Built after linking; FL402 and `faaslint graph` read it.

use crate::catalog::CATALOG;
use crate::model::{
    ArgValue, Call, CodeFile, CodeId, EventKind, FileId, Function, IacFunctionId, Project,
    ResourceKind,
};
use crate::source::Span;
use std::collections::HashMap;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum NodeKind {
    Function,
    Api,
    Url,
    Bucket,
    Queue,
    Topic,
    Table,
    Stream,
    StateMachine,
    Bus,
    /// Another event source (`Schedule`, `EventBridgeRule`, `Cognito`), by its kind.
    Source(String),
    /// A target the code names in a way the templates do not resolve.
    Unknown,
}

impl NodeKind {
    /// The kind as the JSON contract spells it.
    pub fn as_str(&self) -> &str {
        match self {
            NodeKind::Function => "function",
            NodeKind::Api => "api",
            NodeKind::Url => "url",
            NodeKind::Bucket => "bucket",
            NodeKind::Queue => "queue",
            NodeKind::Topic => "topic",
            NodeKind::Table => "table",
            NodeKind::Stream => "stream",
            NodeKind::StateMachine => "state-machine",
            NodeKind::Bus => "bus",
            NodeKind::Source(kind) if kind.to_ascii_lowercase().contains("schedule") => "schedule",
            NodeKind::Source(_) => "source",
            NodeKind::Unknown => "unknown",
        }
    }

    fn of_resource(kind: ResourceKind) -> NodeKind {
        match kind {
            ResourceKind::Queue => NodeKind::Queue,
            ResourceKind::Bucket => NodeKind::Bucket,
            ResourceKind::Topic => NodeKind::Topic,
            ResourceKind::Table => NodeKind::Table,
            ResourceKind::Stream => NodeKind::Stream,
            ResourceKind::StateMachine => NodeKind::StateMachine,
            ResourceKind::Bus => NodeKind::Bus,
        }
    }

    fn of_target(target: &str) -> NodeKind {
        match target {
            "bucket" => NodeKind::Bucket,
            "queue" => NodeKind::Queue,
            "topic" => NodeKind::Topic,
            "table" => NodeKind::Table,
            "stream" => NodeKind::Stream,
            "state-machine" => NodeKind::StateMachine,
            "bus" => NodeKind::Bus,
            _ => NodeKind::Unknown,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    pub name: String,
    /// Where it is declared, when it is.
    pub at: Option<(FileId, Span)>,
    /// For a function node, the template function.
    pub function: Option<IacFunctionId>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdgeKind {
    Triggers,
    InvokesSync,
    InvokesAsync,
    Writes,
}

impl EdgeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeKind::Triggers => "triggers",
            EdgeKind::InvokesSync => "invokes-sync",
            EdgeKind::InvokesAsync => "invokes-async",
            EdgeKind::Writes => "writes",
        }
    }

    pub fn from_code(self) -> bool {
        self != EdgeKind::Triggers
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub kind: EdgeKind,
    /// The line that creates it: the event in the template, the call in the code.
    pub file: FileId,
    pub span: Span,
    /// A trigger that filters what it passes on (an S3 key prefix or suffix).
    pub filtered: bool,
    /// Event sources: those an EventBridge rule's pattern accepts (a trigger), or those the
    /// events put on a bus carry (a write). Empty when not known.
    pub event_sources: Vec<String>,
}

impl Edge {
    /// An edge that filters nothing and carries no event sources.
    fn new(from: usize, to: usize, kind: EdgeKind, file: FileId, span: Span) -> Edge {
        Edge {
            from,
            to,
            kind,
            file,
            span,
            filtered: false,
            event_sources: Vec::new(),
        }
    }
}

#[derive(Debug, Default)]
pub struct Graph {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    by_key: HashMap<(NodeKind, Option<FileId>, String), usize>,
}

impl Graph {
    pub fn build(project: &Project) -> Graph {
        let mut graph = Graph::default();
        let functions: Vec<usize> = project
            .functions
            .iter_enumerated()
            .map(|(id, f)| {
                let node = graph.node(NodeKind::Function, Some(f.file), &f.logical_id, f.span);
                graph.nodes[node].function = Some(id);
                node
            })
            .collect();
        for resource in &project.resources {
            let node = graph.node(
                NodeKind::of_resource(resource.kind),
                Some(resource.file),
                &resource.logical_id,
                resource.span,
            );
            // A state machine's tasks call the functions its definition names, and wait.
            for (id, function) in project.functions.iter_enumerated() {
                let called = function.file == resource.file
                    && resource.refers_to.iter().any(|r| function.is_named_by(r));
                if called {
                    graph.edges.push(Edge::new(
                        node,
                        functions[id.index()],
                        EdgeKind::InvokesSync,
                        resource.file,
                        resource.span,
                    ));
                }
            }
        }
        for (id, function) in project.functions.iter_enumerated() {
            graph.triggers(project, function, functions[id.index()]);
        }
        for (id, function) in project.functions.iter_enumerated() {
            if let Some(entry) = project.code_of(id) {
                graph.code_edges(project, function, entry, functions[id.index()], &functions);
            }
        }
        graph
    }

    /// The node of `name`, made when it is new.
    fn node(&mut self, kind: NodeKind, file: Option<FileId>, name: &str, span: Span) -> usize {
        let key = (kind.clone(), file, name.to_string());
        if let Some(&found) = self.by_key.get(&key) {
            return found;
        }
        self.nodes.push(Node {
            kind,
            name: name.to_string(),
            at: file.map(|f| (f, span)),
            function: None,
        });
        self.by_key.insert(key, self.nodes.len() - 1);
        self.nodes.len() - 1
    }

    fn triggers(&mut self, project: &Project, function: &Function, to: usize) {
        let file = function.file;
        for event in &function.events {
            let from = match (&event.kind, &event.details.source) {
                (kind, Some(bus)) if kind.is_bus_rule() => match project.resource(file, bus) {
                    Some(r) => self.node(NodeKind::Bus, Some(file), bus, r.span),
                    None => self.node(NodeKind::Bus, Some(file), bus, event.span),
                },
                (_, Some(source)) => match project.resource(file, source) {
                    Some(r) => self.node(NodeKind::of_resource(r.kind), Some(file), source, r.span),
                    None => self.node(NodeKind::Unknown, Some(file), source, event.span),
                },
                (EventKind::FunctionUrl, None) => {
                    let name = format!("{} URL", function.logical_id);
                    self.node(NodeKind::Url, Some(file), &name, event.span)
                }
                (EventKind::Other(kind), None) => {
                    self.node(NodeKind::Source(kind.clone()), Some(file), kind, event.span)
                }
                (kind, None) => self.node(NodeKind::Api, Some(file), kind.describe(), event.span),
            };
            self.edges.push(Edge {
                filtered: event.details.filtered,
                event_sources: event.details.event_sources.clone(),
                ..Edge::new(from, to, EdgeKind::Triggers, file, event.span)
            });
        }
    }

    /// What the function's code writes to and invokes on every invocation.
    fn code_edges(
        &mut self,
        project: &Project,
        function: &Function,
        entry: CodeId,
        from: usize,
        functions: &[usize],
    ) {
        for site in project.per_invocation_sites(entry) {
            let code = &project.code[site.code];
            let call = site.call;
            let (kind, to) = if let Some(write) = CATALOG.write(code.language, call) {
                let Some(value) = field(code, call, &write.field) else {
                    continue; // a generic method (`put`, `publish`) without the target's field
                };
                let kind = NodeKind::of_target(&write.target);
                if kind == NodeKind::Bus {
                    // `Entries: [{ EventBusName, Source, ... }]`: an edge per bus.
                    for (bus, sources) in bus_entries(value) {
                        let to = match &bus {
                            ArgValue::Str(name) if name == "default" => {
                                self.node(NodeKind::Bus, Some(function.file), name, call.span)
                            }
                            other => {
                                self.target(project, function, NodeKind::Bus, other, call.span)
                            }
                        };
                        self.edges.push(Edge {
                            event_sources: sources,
                            ..Edge::new(from, to, EdgeKind::Writes, code.file, call.span)
                        });
                    }
                    continue;
                }
                // Starting a state machine's execution does not wait for it.
                let edge = match kind {
                    NodeKind::StateMachine => EdgeKind::InvokesAsync,
                    _ => EdgeKind::Writes,
                };
                (edge, self.target(project, function, kind, value, call.span))
            } else if CATALOG.is_invoke(code, call) {
                let kind = match invocation_type(code, call).as_deref() {
                    Some("Event") => EdgeKind::InvokesAsync,
                    Some("DryRun") => continue,
                    _ => EdgeKind::InvokesSync,
                };
                let to = match invoked_function(project, entry, code, call) {
                    Some(target) => functions[target.index()],
                    None => {
                        let value = field(code, call, "FunctionName").cloned();
                        let name = unknown_name("function", value.as_ref());
                        self.node(NodeKind::Unknown, None, &name, call.span)
                    }
                };
                (kind, to)
            } else {
                continue;
            };
            self.edges
                .push(Edge::new(from, to, kind, code.file, call.span));
        }
    }

    /// The node a write names: a resource of the function's template through the variable
    /// that names it, else an unknown node.
    fn target(
        &mut self,
        project: &Project,
        function: &Function,
        kind: NodeKind,
        value: &ArgValue,
        span: Span,
    ) -> usize {
        if let ArgValue::EnvVar(variable) = value {
            let referenced = function
                .environment
                .iter()
                .find(|var| var.name.value == *variable)
                .and_then(|var| var.references.first());
            if let Some(resource) = referenced.and_then(|id| project.resource(function.file, id)) {
                return self.node(
                    NodeKind::of_resource(resource.kind),
                    Some(resource.file),
                    &resource.logical_id,
                    resource.span,
                );
            }
        }
        let name = unknown_name(kind.as_str(), Some(value));
        self.node(NodeKind::Unknown, None, &name, span)
    }

    /// The edges into node `node`, and out of it.
    pub fn edges_of(&self, node: usize) -> impl Iterator<Item = &Edge> {
        self.edges
            .iter()
            .filter(move |e| e.from == node || e.to == node)
    }

    /// The node of template function `function`.
    pub fn function_node(&self, function: IacFunctionId) -> Option<usize> {
        self.nodes.iter().position(|n| n.function == Some(function))
    }
}

/// The buses a `PutEvents` request's entries go to (`EventBusName`, else the `default` bus), each
/// with the literal `Source`s its entries carry (empty when one is not literal).
fn bus_entries(entries: &ArgValue) -> Vec<(ArgValue, Vec<String>)> {
    let ArgValue::List(items) = entries else {
        return vec![(ArgValue::Other, Vec::new())];
    };
    let mut buses: Vec<(ArgValue, Vec<String>, bool)> = Vec::new();
    for item in items {
        let ArgValue::Object(fields) = item else {
            continue;
        };
        let get = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v);
        let bus = get("EventBusName")
            .cloned()
            .unwrap_or_else(|| ArgValue::Str("default".to_string()));
        let source = match get("Source") {
            Some(ArgValue::Str(source)) => Some(source.clone()),
            _ => None,
        };
        match buses.iter_mut().find(|(b, ..)| *b == bus) {
            Some((_, sources, known)) => {
                *known &= source.is_some();
                sources.extend(source);
            }
            None => buses.push((bus, source.iter().cloned().collect(), source.is_some())),
        }
    }
    buses
        .into_iter()
        .map(|(bus, sources, known)| (bus, if known { sources } else { Vec::new() }))
        .collect()
}

/// How an unresolved target is shown: the literal it is named by, or the variable.
fn unknown_name(kind: &str, value: Option<&ArgValue>) -> String {
    match value {
        Some(ArgValue::Str(name)) => name.clone(),
        Some(ArgValue::EnvVar(variable)) => format!("{kind} in ${variable}"),
        _ => format!("unknown {kind}"),
    }
}

/// A request field of a call, by the service's own name for it.
fn field<'f>(file: &'f CodeFile, call: &'f Call, name: &str) -> Option<&'f ArgValue> {
    file.request_fields(call)
        .into_iter()
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// `Event`, `RequestResponse`, `DryRun`, or `None` when not given (the SDK default is
/// RequestResponse). Rust enums arrive as paths: `InvocationType::Event`.
pub fn invocation_type(file: &CodeFile, call: &Call) -> Option<String> {
    field(file, call, "InvocationType").map(|v| match v {
        ArgValue::Str(s) => s.clone(),
        ArgValue::Path(p) => p.rsplit('.').next().unwrap_or(p).to_string(),
        _ => "unknown".to_string(),
    })
}

/// The template function an invoke names: by literal name, or through an environment
/// variable of the caller that refers to it (`BILLING_FUNCTION: !Ref BillingFunction`).
pub fn invoked_function(
    project: &Project,
    caller: CodeId,
    file: &CodeFile,
    call: &Call,
) -> Option<IacFunctionId> {
    let named = |id: &str| {
        project
            .functions
            .iter_enumerated()
            .find(|(_, f)| f.is_named_by(id))
            .map(|(id, _)| id)
    };
    match field(file, call, "FunctionName")? {
        ArgValue::Str(name) => project
            .functions
            .iter_enumerated()
            .find(|(_, f)| {
                f.function_name.as_deref() == Some(name.as_str()) || f.logical_id == *name
            })
            .map(|(id, _)| id),
        ArgValue::EnvVar(variable) => {
            let referenced = project.functions_running(caller).find_map(|function| {
                function
                    .environment
                    .iter()
                    .find(|var| var.name.value == *variable)
                    .and_then(|var| var.references.first().cloned())
            })?;
            named(&referenced)
        }
        _ => None,
    }
}

/// The literal name an invoke gives, for a message when no template function has it.
pub fn invoked_name(file: &CodeFile, call: &Call) -> Option<String> {
    match field(file, call, "FunctionName")? {
        ArgValue::Str(name) => Some(name.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    /// (from, edge kind, to) of the graph of in-memory files, as `kind:name`.
    fn edges(files: &[(&str, &str)]) -> Vec<(String, &'static str, String)> {
        let mut project = Project::default();
        for (name, text) in files {
            let file = SourceFile::new(name.into(), name.to_string(), text.to_string());
            match crate::walk::classify(&file.path) {
                Some(crate::walk::FileKind::Code(language)) => {
                    let code = crate::frontend::read_code(language, &file, &[]).unwrap();
                    let id = project.add_file(file);
                    project.add_code(id, code);
                }
                _ => {
                    let template = crate::frontend::read_template(&file).unwrap();
                    let id = project.add_file(file);
                    project.add_template(id, template.unwrap());
                }
            }
        }
        crate::link::link(&mut project);
        let graph = Graph::build(&project);
        let name = |i: usize| format!("{}:{}", graph.nodes[i].kind.as_str(), graph.nodes[i].name);
        graph
            .edges
            .iter()
            .map(|e| (name(e.from), e.kind.as_str(), name(e.to)))
            .collect()
    }

    fn edge(from: &str, kind: &'static str, to: &str) -> (String, &'static str, String) {
        (from.to_string(), kind, to.to_string())
    }

    #[test]
    fn state_machines_call_functions_and_code_starts_them() {
        let template = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Checkout:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      CodeUri: src/\n      Handler: app.handler\n      Environment:\n        Variables:\n          WORKFLOW_ARN: !Ref OrderWorkflow\n  Charge:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      CodeUri: charge/\n      Handler: app.handler\n  OrderWorkflow:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n      DefinitionUri: workflow.asl.json\n      DefinitionSubstitutions:\n        ChargeArn: !GetAtt Charge.Arn\n";
        let code = "import os\nimport boto3\nsfn = boto3.client('stepfunctions')\n\ndef handler(event, context):\n    sfn.start_execution(stateMachineArn=os.environ['WORKFLOW_ARN'], input='{}')\n";
        let found = edges(&[("template.yaml", template), ("src/app.py", code)]);
        assert!(
            found.contains(&edge(
                "state-machine:OrderWorkflow",
                "invokes-sync",
                "function:Charge"
            )),
            "{found:#?}"
        );
        assert!(
            found.contains(&edge(
                "function:Checkout",
                "invokes-async",
                "state-machine:OrderWorkflow"
            )),
            "{found:#?}"
        );
    }

    #[test]
    fn writes_in_every_language_resolve_through_the_environment() {
        let function = |id: &str, runtime: &str, uri: &str, handler: &str| {
            format!("  {id}:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: {runtime}\n      CodeUri: {uri}\n      Handler: {handler}\n      Environment:\n        Variables:\n          RESULTS_URL: !Ref Results\n")
        };
        let template = format!(
            "Transform: AWS::Serverless-2016-10-31\nResources:\n  Results:\n    Type: AWS::SQS::Queue\n{}{}{}{}",
            function("GoWorker", "provided.al2023", "go/", "bootstrap"),
            function("JavaWorker", "java21", "java", "com.example.Worker::handleRequest"),
            function("DotnetWorker", "dotnet8", "dotnet/", "Worker::Worker.Function::FunctionHandler"),
            function("RustWorker", "provided.al2023", "rust/", "bootstrap"),
        );
        let go = "package main\n\nimport (\n\t\"context\"\n\t\"os\"\n\n\t\"github.com/aws/aws-lambda-go/lambda\"\n\t\"github.com/aws/aws-sdk-go-v2/aws\"\n\t\"github.com/aws/aws-sdk-go-v2/service/sqs\"\n)\n\nvar client *sqs.Client\n\nfunc handler(ctx context.Context) error {\n\t_, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(os.Getenv(\"RESULTS_URL\")), MessageBody: aws.String(\"done\")})\n\treturn err\n}\n\nfunc main() {\n\tlambda.Start(handler)\n}\n";
        let java = "package com.example;\n\nimport com.amazonaws.services.lambda.runtime.Context;\nimport com.amazonaws.services.lambda.runtime.RequestHandler;\nimport software.amazon.awssdk.services.sqs.SqsClient;\nimport software.amazon.awssdk.services.sqs.model.SendMessageRequest;\n\npublic class Worker implements RequestHandler<String, String> {\n    private static final SqsClient SQS = SqsClient.create();\n\n    public String handleRequest(String input, Context context) {\n        SQS.sendMessage(SendMessageRequest.builder().queueUrl(System.getenv(\"RESULTS_URL\")).messageBody(input).build());\n        return input;\n    }\n}\n";
        let dotnet = "using Amazon.SQS;\nusing Amazon.SQS.Model;\n\nnamespace Worker;\n\npublic class Function\n{\n    private static readonly AmazonSQSClient Sqs = new AmazonSQSClient();\n\n    public async Task FunctionHandler(string input)\n    {\n        await Sqs.SendMessageAsync(new SendMessageRequest { QueueUrl = Environment.GetEnvironmentVariable(\"RESULTS_URL\"), MessageBody = input });\n    }\n}\n";
        let rust = "use lambda_runtime::{service_fn, Error, LambdaEvent};\nuse serde_json::Value;\n\nasync fn handler(client: &aws_sdk_sqs::Client, event: LambdaEvent<Value>) -> Result<(), Error> {\n    client.send_message().queue_url(std::env::var(\"RESULTS_URL\")?).message_body(\"done\").send().await?;\n    Ok(())\n}\n\n#[tokio::main]\nasync fn main() -> Result<(), Error> {\n    lambda_runtime::run(service_fn(|e| handler(&client, e))).await\n}\n";
        let found = edges(&[
            ("template.yaml", &template),
            ("go/main.go", go),
            ("java/src/main/java/com/example/Worker.java", java),
            ("dotnet/Function.cs", dotnet),
            ("rust/src/main.rs", rust),
        ]);
        for worker in ["GoWorker", "JavaWorker", "DotnetWorker", "RustWorker"] {
            assert!(
                found.contains(&edge(
                    &format!("function:{worker}"),
                    "writes",
                    "queue:Results"
                )),
                "{worker}: {found:#?}"
            );
        }
    }

    #[test]
    fn an_unresolved_target_is_unknown_not_guessed() {
        let template = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Worker:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: nodejs22.x\n      CodeUri: src/\n      Handler: app.handler\n      Environment:\n        Variables:\n          QUEUE_URL: https://sqs.eu-west-1.amazonaws.com/123/jobs\n";
        let code = "import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';\nconst sqs = new SQSClient({});\nexport const handler = async (event) => {\n  await sqs.send(new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: 'x' }));\n  await sqs.send(new SendMessageCommand({ QueueUrl: event.replyTo, MessageBody: 'y' }));\n};\n";
        let found = edges(&[("template.yaml", template), ("src/app.mjs", code)]);
        assert_eq!(
            found,
            [
                edge("function:Worker", "writes", "unknown:queue in $QUEUE_URL"),
                edge("function:Worker", "writes", "unknown:unknown queue"),
            ]
        );
    }
}
