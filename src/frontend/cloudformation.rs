//! SAM and CloudFormation templates (YAML or JSON) into [`Template`].
//!
//! The template is never transformed: SAM `Globals` are merged into each function as a view whose
//! nodes keep their own spans, so every finding points into the file the user wrote.

use super::intrinsics::{Evaluator, Possible};
use super::yaml::{Node, Value};
use super::{is_catch_all_route, normalize_path, parse_u64, span_union, split_route};
use crate::model::{
    EnvValue, EnvVar, Event, EventDetails, EventKind, Flavor, Function, Located,
    MetadataSuppression, Resource, ResourceKind, RunsOnce, SnapStart, Template,
};
use crate::source::Span;

/// A template is recognised by content, so SAM fragments without a `Transform` line count.
pub fn is_template(root: &Node) -> bool {
    if root.get("AWSTemplateFormatVersion").is_some() {
        return true;
    }
    let transform_is_sam = root.get("Transform").is_some_and(|transform| {
        transform.scalar_text().is_some_and(is_sam_transform)
            || transform
                .items()
                .iter()
                .any(|item| item.scalar_text().is_some_and(is_sam_transform))
    });
    transform_is_sam
        || root.get("Resources").is_some_and(|resources| {
            resources.entries().iter().any(|(_, resource)| {
                resource
                    .get("Type")
                    .and_then(Node::as_str)
                    .is_some_and(|kind| kind.starts_with("AWS::"))
            })
        })
}

fn is_sam_transform(text: &str) -> bool {
    text.starts_with("AWS::Serverless")
}

/// `!Ref X` / `{"Ref": "X"}` and `!Sub ...` / `{"Fn::Sub": ...}` alike: (`Ref` or `Fn::Name`, argument).
pub fn intrinsic(node: &Node) -> Option<(String, &Node)> {
    if let Some(tag) = &node.tag {
        let name = match tag.as_str() {
            "Ref" | "Condition" => tag.clone(),
            other => format!("Fn::{other}"),
        };
        return Some((name, node));
    }
    match node.entries() {
        [(key, value)] => {
            let key = key.scalar_text()?;
            (key == "Ref" || key == "Condition" || key.starts_with("Fn::"))
                .then(|| (key.to_string(), value))
        }
        _ => None,
    }
}

/// Logical ids this subtree refers to through `Ref`, `GetAtt` or `Sub` variables.
pub fn referenced_ids(node: &Node, out: &mut Vec<String>) {
    if let Some((name, arg)) = intrinsic(node) {
        match name.as_str() {
            "Ref" => out.extend(arg.scalar_text().map(str::to_string)),
            "Fn::GetAtt" => {
                let target = match arg.items().first() {
                    Some(first) => first.scalar_text(),
                    None => arg.scalar_text().and_then(|t| t.split('.').next()),
                };
                out.extend(target.map(str::to_string));
            }
            "Fn::Sub" => {
                let (text, vars) = match arg.items() {
                    [text, vars, ..] => (text.scalar_text(), Some(vars)),
                    _ => (arg.scalar_text(), None),
                };
                if let Some(text) = text {
                    out.extend(
                        sub_variables(text)
                            .map(|var| var.split('.').next().unwrap_or(var).to_string()),
                    );
                }
                if let Some(vars) = vars {
                    referenced_ids(vars, out);
                }
            }
            _ => {}
        }
        if !matches!(arg.value, Value::Scalar { .. }) && name != "Fn::Sub" {
            for child in children(arg) {
                referenced_ids(child, out);
            }
        }
        return;
    }
    for child in children(node) {
        referenced_ids(child, out);
    }
}

fn children(node: &Node) -> Box<dyn Iterator<Item = &Node> + '_> {
    match &node.value {
        Value::Seq(items) => Box::new(items.iter()),
        Value::Map(entries) => Box::new(entries.iter().map(|(_, value)| value)),
        Value::Scalar { .. } => Box::new(std::iter::empty()),
    }
}

/// The `${Name}` variables of a `Fn::Sub` string (`${!Literal}` is an escape, not a variable).
fn sub_variables(text: &str) -> impl Iterator<Item = &str> {
    text.split("${")
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(var, _)| var.trim()))
        .filter(|var| !var.starts_with('!'))
}

struct Cfn<'a> {
    root: &'a Node,
    resources: &'a Node,
    globals: Option<&'a Node>,
}

pub fn extract(root: &Node) -> Template {
    let empty = Node {
        value: Value::Map(Vec::new()),
        span: Span::default(),
        tag: None,
    };
    let cfn = Cfn {
        root,
        resources: root.get("Resources").unwrap_or(&empty),
        globals: root.path(&["Globals", "Function"]),
    };
    let mut template = Template::default();
    for (key, resource) in cfn.resources.entries() {
        let Some(id) = key.scalar_text() else {
            continue;
        };
        let resource_span = span_union(key.span, resource.span);
        match resource.get("Type").and_then(Node::as_str) {
            Some("AWS::Serverless::Function") => {
                template
                    .functions
                    .push(cfn.function(id, key.span, resource, Flavor::Sam))
            }
            Some("AWS::Lambda::Function") => template.functions.push(cfn.function(
                id,
                key.span,
                resource,
                Flavor::CloudFormation,
            )),
            _ => {}
        }
        let ignored = resource.path(&["Metadata", "faaslint", "ignore"]);
        for code in ignored.map(Node::items).unwrap_or_default() {
            if let Some(text) = code.scalar_text() {
                template.suppressions.push(MetadataSuppression {
                    code: Located::new(text.trim().to_string(), code.span),
                    resource: resource_span,
                });
            }
        }
    }
    cfn.link_resources(&mut template.functions);
    mark_streaming(cfn.resources, &mut template.functions);
    template.resources = resources(root, cfn.resources);
    template
}

/// Functions an API integration invokes with response streaming: a URI ending in
/// `response-streaming-invocations` (anywhere, an OpenAPI `DefinitionBody` included) that names
/// the function.
fn mark_streaming(node: &Node, functions: &mut [Function]) {
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        let streams = node
            .scalar_text()
            .is_some_and(|text| text.contains("response-streaming-invocations"));
        if streams {
            for id in sub_variables(node.scalar_text().unwrap_or_default()) {
                let id = id.split('.').next().unwrap_or(id);
                if let Some(function) = functions.iter_mut().find(|f| f.logical_id == id) {
                    function.streams_responses = true;
                }
            }
            continue;
        }
        stack.extend(children(node));
    }
}

/// The queues, buckets, topics, tables and streams of a `Resources` section (a template's, or
/// a `serverless.yml`'s `resources.Resources`).
pub fn resources(root: &Node, section: &Node) -> Vec<Resource> {
    let cfn = Cfn {
        root,
        resources: section,
        globals: None,
    };
    section
        .entries()
        .iter()
        .filter_map(|(key, resource)| {
            let kind = resource_kind(resource.get("Type").and_then(Node::as_str)?)?;
            let props = resource.get("Properties");
            let mut refers_to = Vec::new();
            if kind == ResourceKind::StateMachine {
                referenced_ids(props?, &mut refers_to);
            }
            Some(Resource {
                file: crate::model::FileId::new(0),
                logical_id: key.scalar_text()?.to_string(),
                kind,
                span: key.span,
                visibility_timeout_s: cfn
                    .located_number(props.and_then(|p| p.get("VisibilityTimeout"))),
                refers_to,
            })
        })
        .collect()
}

fn resource_kind(resource_type: &str) -> Option<ResourceKind> {
    Some(match resource_type {
        "AWS::SQS::Queue" => ResourceKind::Queue,
        "AWS::S3::Bucket" => ResourceKind::Bucket,
        "AWS::SNS::Topic" => ResourceKind::Topic,
        "AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable" | "AWS::Serverless::SimpleTable" => {
            ResourceKind::Table
        }
        "AWS::Kinesis::Stream" => ResourceKind::Stream,
        "AWS::Serverless::StateMachine" | "AWS::StepFunctions::StateMachine" => {
            ResourceKind::StateMachine
        }
        "AWS::Events::EventBus" => ResourceKind::Bus,
        _ => return None,
    })
}

impl Cfn<'_> {
    fn function(&self, id: &str, id_span: Span, resource: &Node, flavor: Flavor) -> Function {
        let local = resource.get("Properties");
        let merged;
        let props = match (flavor, self.globals, local) {
            (Flavor::Sam, Some(globals), Some(local)) => {
                merged = merge(globals, local);
                &merged
            }
            (Flavor::Sam, Some(globals), None) => globals,
            (_, _, Some(local)) => local,
            (_, _, None) => &Node {
                value: Value::Map(Vec::new()),
                span: id_span,
                tag: None,
            },
        };
        let mut function = Function::new(id.to_string(), id_span, flavor);
        function.condition = resource
            .get("Condition")
            .and_then(Node::scalar_text)
            .map(str::to_string);
        function.runtime = self.located_text(props.get("Runtime"));
        if let Some(runtime) = props.get("Runtime").filter(|r| Evaluator::evaluates(r)) {
            function.runtime_branches = self
                .possible_values(runtime, function.condition.as_deref())
                .into_iter()
                .filter_map(|possible| {
                    let condition = possible.condition().unwrap_or_default();
                    Some((Located::new(possible.text?, possible.origin), condition))
                })
                .collect();
            function.runtime = function.runtime_branches.first().map(|(r, _)| r.clone());
        }
        function.handler = self.located_text(props.get("Handler"));
        function.code_uri = self
            .located_text(props.get("CodeUri"))
            .or_else(|| self.located_text(props.get("Code")));
        function.function_name = props.get("FunctionName").and_then(|n| self.text(n));
        function.entry_points = resource
            .path(&["Metadata", "BuildProperties", "EntryPoints"])
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(|entry| entry.as_str().map(str::to_string))
            .collect();
        function.image = props
            .entry("PackageType")
            .filter(|(_, value)| self.text(value).as_deref() == Some("Image"))
            .or_else(|| props.entry("ImageUri"))
            .map(|(key, _)| key.span);
        function.memory_mb = self.located_number(props.get("MemorySize"));
        function.timeout_s = self.located_number(props.get("Timeout"));
        function.ephemeral_storage_mb =
            self.located_number(props.path(&["EphemeralStorage", "Size"]));
        function.file_systems = props
            .entry("FileSystemConfigs")
            .filter(|(_, value)| !value.items().is_empty() || intrinsic(value).is_some())
            .map(|(key, _)| key.span);
        function.tenant_isolation = props
            .path(&["TenancyConfig", "TenantIsolationMode"])
            .filter(|mode| self.text(mode).as_deref() == Some("PER_TENANT"))
            .map(|mode| mode.span);
        function.provisioned_concurrency = props
            .entry("ProvisionedConcurrencyConfig")
            .map(|(key, _)| key.span);
        function.publishes_versions = props.get("AutoPublishAlias").is_some();
        // `SnapStart: !If [IsProd, {ApplyOn: PublishedVersions}, !Ref AWS::NoValue]` has
        // SnapStart on one branch: the function is taken to have it.
        let apply_on: Vec<&Node> = props
            .get("SnapStart")
            .map(if_branches)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|branch| branch.get("ApplyOn"))
            .collect();
        function.snapstart = apply_on
            .iter()
            .find(|a| self.text(a).as_deref() == Some("PublishedVersions"))
            .or(apply_on.first())
            .map(|apply_on| SnapStart {
                enabled: self.text(apply_on).as_deref() == Some("PublishedVersions"),
                span: apply_on.span,
            });
        let local_vars = local.and_then(|l| l.path(&["Environment", "Variables"]));
        if let Some(vars) = props.path(&["Environment", "Variables"]) {
            function.environment =
                self.environment(vars, local_vars, function.condition.as_deref());
        }
        if let Some(events) = props.get("Events") {
            function.events = events.entries().iter().map(sam_event).collect();
        }
        function.durable = props.get("DurableConfig").is_some();
        function.streams_responses = props
            .path(&["FunctionUrlConfig", "InvokeMode"])
            .and_then(|mode| self.text(mode))
            .is_some_and(|mode| mode == "RESPONSE_STREAM");
        if let Some((key, _)) = props.entry("FunctionUrlConfig") {
            function.events.push(Event {
                kind: EventKind::FunctionUrl,
                method: None,
                path: None,
                catch_all: false,
                span: key.span,
                details: Default::default(),
            });
        }
        function
    }

    /// The variables, one per value a variable can take (`!If`, `!FindInMap` on a parameter),
    /// each with the choice that gives it.
    fn environment(
        &self,
        vars: &Node,
        local: Option<&Node>,
        resource_condition: Option<&str>,
    ) -> Vec<EnvVar> {
        let mut out = Vec::new();
        for (key, value) in vars.entries() {
            let Some(name) = key.scalar_text() else {
                continue;
            };
            let mut references = Vec::new();
            referenced_ids(value, &mut references);
            let var = |env_value: EnvValue, condition: Option<String>| EnvVar {
                name: Located::new(name.to_string(), key.span),
                value: env_value,
                value_span: value.span,
                from_defaults: local.is_none_or(|local| local.get(name).is_none()),
                references: references.clone(),
                condition,
                included: None,
            };
            if !Evaluator::evaluates(value) {
                out.push(var(self.env_value(value), None));
                continue;
            }
            let known: Vec<EnvVar> = self
                .possible_values(value, resource_condition)
                .into_iter()
                .filter_map(|possible| {
                    let condition = possible.condition();
                    let text = possible.text?;
                    Some(var(evaluated_env_value(text, possible.origin), condition))
                })
                .collect();
            if known.is_empty() {
                out.push(var(EnvValue::Reference, None));
            }
            out.extend(known);
        }
        out
    }

    fn env_value(&self, node: &Node) -> EnvValue {
        if let Some((name, arg)) = intrinsic(node) {
            if name == "Ref" {
                return self.parameter_default(arg);
            }
            if name == "Fn::GetAtt" {
                return secret_attribute(arg)
                    .map_or(EnvValue::Reference, |how| EnvValue::ResolvedSecret { how });
            }
            return EnvValue::Reference;
        }
        match node.scalar_text() {
            Some(text) => evaluated_env_value(text.to_string(), node.span),
            None => EnvValue::Reference,
        }
    }

    /// The values `node` can take in a resource created under `condition`: a branch that needs
    /// the condition false never happens there.
    fn possible_values(&self, node: &Node, condition: Option<&str>) -> Vec<Possible> {
        let impossible = condition.map(|c| format!("`{c}` is false"));
        let mut values = Evaluator::new(self.root).values(node);
        values.retain(|v| impossible.as_ref().is_none_or(|i| !v.when.contains(i)));
        values
    }

    /// A `!Ref` to a parameter whose `Default` is a literal puts that literal in the template,
    /// `NoEcho` or not (NoEcho only hides the value in the console and API). Without a default,
    /// a parameter that is not `NoEcho` shows its value in the console.
    fn parameter_default(&self, name: &Node) -> EnvValue {
        let Some(name) = name.scalar_text() else {
            return EnvValue::Reference;
        };
        let Some(parameter) = self.root.path(&["Parameters", name]) else {
            return EnvValue::Reference; // a resource or a pseudo parameter
        };
        match parameter.get("Default") {
            Some(default) if default.as_str().is_some_and(|text| !text.is_empty()) => {
                EnvValue::Literal {
                    text: default.as_str().unwrap_or_default().to_string(),
                    origin: default.span,
                }
            }
            _ if is_visible_string(parameter) => EnvValue::VisibleParameter {
                name: name.to_string(),
            },
            _ => EnvValue::Reference,
        }
    }

    /// A scalar's text, following `!Ref` to a parameter's literal `Default`.
    fn text(&self, node: &Node) -> Option<String> {
        if let Some(text) = node.as_str() {
            return Some(text.to_string());
        }
        let (name, arg) = intrinsic(node)?;
        if name != "Ref" {
            return None;
        }
        let parameter = self.root.path(&["Parameters", arg.scalar_text()?])?;
        parameter.get("Default")?.as_str().map(str::to_string)
    }

    fn located_text(&self, node: Option<&Node>) -> Option<Located<String>> {
        let node = node?;
        Some(Located::new(self.text(node)?, node.span))
    }

    fn located_number(&self, node: Option<&Node>) -> Option<Located<u64>> {
        let node = node?;
        Some(Located::new(parse_u64(&self.text(node)?)?, node.span))
    }

    /// Which function a resource's subtree refers to (directly or through a SAM alias id).
    fn target_function(&self, node: &Node, functions: &[Function]) -> Option<usize> {
        let mut ids = Vec::new();
        referenced_ids(node, &mut ids);
        ids.iter().find_map(|id| {
            functions.iter().position(|f| {
                f.logical_id == *id
                    || id
                        .strip_prefix(f.logical_id.as_str())
                        .is_some_and(|rest| rest.starts_with("Alias"))
            })
        })
    }

    /// Adds what other resources say about functions: URLs, API routes, load balancers, versions,
    /// aliases with provisioned concurrency.
    fn link_resources(&self, functions: &mut [Function]) {
        for (key, resource) in self.resources.entries() {
            let Some(kind) = resource.get("Type").and_then(Node::as_str) else {
                continue;
            };
            let Some(props) = resource.get("Properties") else {
                continue;
            };
            let event = |kind: EventKind, method, path: Option<String>, span| Event {
                catch_all: !matches!(
                    kind,
                    EventKind::FunctionUrl | EventKind::WebSocketApi | EventKind::Other(_)
                ) && path.is_some()
                    && is_catch_all_route(Option::as_deref(&method), path.as_deref()),
                kind,
                method,
                path,
                span,
                details: Default::default(),
            };
            match kind {
                "AWS::Lambda::Url" => {
                    if let Some(i) = props
                        .get("TargetFunctionArn")
                        .and_then(|t| self.target_function(t, functions))
                    {
                        let mode = props.get("InvokeMode").and_then(|m| self.text(m));
                        functions[i].streams_responses |=
                            mode.as_deref() == Some("RESPONSE_STREAM");
                        functions[i].events.push(event(
                            EventKind::FunctionUrl,
                            None,
                            None,
                            key.span,
                        ));
                    }
                }
                "AWS::Lambda::Permission" => {
                    let principal = props.get("Principal").and_then(|p| self.text(p));
                    let kind = match principal.as_deref() {
                        Some(p) if p.starts_with("apigateway") => EventKind::RestApi,
                        Some(p) if p.starts_with("elasticloadbalancing") => EventKind::Alb,
                        _ => continue,
                    };
                    if let Some(i) = props
                        .get("FunctionName")
                        .and_then(|t| self.target_function(t, functions))
                    {
                        if functions[i].user_facing_event().is_none() {
                            functions[i].events.push(event(kind, None, None, key.span));
                        }
                    }
                }
                "AWS::ElasticLoadBalancingV2::TargetGroup" => {
                    let lambda = props.get("TargetType").and_then(|t| self.text(t));
                    if lambda.as_deref() != Some("lambda") {
                        continue;
                    }
                    if let Some(i) = props
                        .get("Targets")
                        .and_then(|t| self.target_function(t, functions))
                    {
                        functions[i]
                            .events
                            .push(event(EventKind::Alb, None, None, key.span));
                    }
                }
                "AWS::ApiGateway::Method" => {
                    let Some(i) = props
                        .path(&["Integration", "Uri"])
                        .and_then(|uri| self.target_function(uri, functions))
                    else {
                        continue;
                    };
                    let method = props.get("HttpMethod").and_then(|m| self.text(m));
                    let (path, span) = self.rest_resource_path(props.get("ResourceId"));
                    let span = span.unwrap_or(key.span);
                    let mut route = event(EventKind::RestApi, method, Some(path), span);
                    route.details.timeout_ms =
                        self.located_number(props.path(&["Integration", "TimeoutInMillis"]));
                    route.details.asynchronous = props
                        .path(&["Integration", "RequestParameters"])
                        .and_then(|p| p.get("integration.request.header.X-Amz-Invocation-Type"))
                        .and_then(Node::as_str)
                        .is_some_and(|t| t.trim_matches('\'') == "Event");
                    functions[i].events.push(route);
                }
                "AWS::ApiGatewayV2::Route" => {
                    let Some(i) = self.v2_route_target(props, functions) else {
                        continue;
                    };
                    let route_key = props.get("RouteKey");
                    let (method, path) = route_key
                        .and_then(|r| self.text(r))
                        .map(|r| split_route(&r))
                        .unwrap_or((None, None));
                    let span = route_key.map_or(key.span, |r| r.span);
                    // A WebSocket API's `$default` takes the messages no route key matches:
                    // a fallback, not a catch-all of HTTP requests.
                    let kind = if self.is_websocket_api(props.get("ApiId")) {
                        EventKind::WebSocketApi
                    } else {
                        EventKind::HttpApi
                    };
                    functions[i].events.push(event(kind, method, path, span));
                }
                "AWS::ApiGatewayV2::Api" => {
                    // Quick create: `Target` sends every route of the API to one function.
                    if let Some((target_key, target)) = props.entry("Target") {
                        if let Some(i) = self.target_function(target, functions) {
                            functions[i].events.push(event(
                                EventKind::HttpApi,
                                None,
                                Some("$default".into()),
                                target_key.span,
                            ));
                        }
                    }
                }
                "AWS::Lambda::EventSourceMapping" => {
                    let Some(i) = props
                        .get("FunctionName")
                        .and_then(|t| self.target_function(t, functions))
                    else {
                        continue;
                    };
                    let mut ids = Vec::new();
                    if let Some(arn) = props.get("EventSourceArn") {
                        referenced_ids(arn, &mut ids);
                    }
                    let source = ids.into_iter().next();
                    let source_type = source
                        .as_deref()
                        .and_then(|id| self.resources.get(id))
                        .and_then(|r| r.get("Type"))
                        .and_then(Node::as_str);
                    let kind = match source_type {
                        Some("AWS::SQS::Queue") => "SQS",
                        Some("AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable") => "DynamoDB",
                        Some("AWS::Kinesis::Stream") => "Kinesis",
                        _ => "EventSourceMapping",
                    };
                    let mut mapping = event(EventKind::Other(kind.into()), None, None, key.span);
                    mapping.details.source = source;
                    functions[i].events.push(mapping);
                }
                "AWS::Lambda::Version" | "AWS::Lambda::Alias" => {
                    let Some(i) = props
                        .get("FunctionName")
                        .and_then(|t| self.target_function(t, functions))
                    else {
                        continue;
                    };
                    if kind == "AWS::Lambda::Version" {
                        functions[i].publishes_versions = true;
                    }
                    if let Some((pc_key, _)) = props.entry("ProvisionedConcurrencyConfig") {
                        functions[i]
                            .provisioned_concurrency
                            .get_or_insert(pc_key.span);
                    }
                }
                custom
                    if custom.starts_with("Custom::")
                        || custom == "AWS::CloudFormation::CustomResource" =>
                {
                    if let Some(i) = props
                        .get("ServiceToken")
                        .and_then(|t| self.target_function(t, functions))
                    {
                        functions[i].runs_once = Some(RunsOnce::CustomResource);
                    }
                }
                "AWS::SecretsManager::RotationSchedule" => {
                    if let Some(i) = props
                        .get("RotationLambdaARN")
                        .and_then(|t| self.target_function(t, functions))
                    {
                        functions[i].runs_once = Some(RunsOnce::SecretRotation);
                    }
                }
                _ => {}
            }
        }
    }

    /// The full path of an `AWS::ApiGateway::Resource` (following `ParentId`), and the span of
    /// its `PathPart`.
    fn rest_resource_path(&self, resource_id: Option<&Node>) -> (String, Option<Span>) {
        let mut parts = Vec::new();
        let mut first_span = None;
        let mut current = resource_id;
        for _ in 0..32 {
            let Some(node) = current else { break };
            let Some(("Ref", arg)) = intrinsic(node).as_ref().map(|(n, a)| (n.as_str(), *a)) else {
                break; // GetAtt Api.RootResourceId, or something we cannot follow
            };
            let Some(resource) = arg.scalar_text().and_then(|id| self.resources.get(id)) else {
                break;
            };
            let Some(part) = resource.path(&["Properties", "PathPart"]) else {
                break;
            };
            first_span.get_or_insert(part.span);
            parts.push(self.text(part).unwrap_or_else(|| "{?}".into()));
            current = resource.path(&["Properties", "ParentId"]);
        }
        parts.reverse();
        (format!("/{}", parts.join("/")), first_span)
    }

    /// Whether `api_id` refers to an `AWS::ApiGatewayV2::Api` with `ProtocolType: WEBSOCKET`.
    fn is_websocket_api(&self, api_id: Option<&Node>) -> bool {
        let mut ids = Vec::new();
        if let Some(api_id) = api_id {
            referenced_ids(api_id, &mut ids);
        }
        ids.iter().any(|id| {
            self.resources
                .get(id)
                .and_then(|api| api.path(&["Properties", "ProtocolType"]))
                .and_then(Node::as_str)
                .is_some_and(|protocol| protocol.eq_ignore_ascii_case("WEBSOCKET"))
        })
    }

    fn v2_route_target(&self, props: &Node, functions: &[Function]) -> Option<usize> {
        let mut ids = Vec::new();
        referenced_ids(props.get("Target")?, &mut ids);
        ids.iter().find_map(|id| {
            let integration = self.resources.get(id)?;
            let uri = integration.path(&["Properties", "IntegrationUri"])?;
            self.target_function(uri, functions)
        })
    }
}

/// `{{resolve:secretsmanager:...}}` or `{{resolve:ssm-secure:...}}`: a secret's value.
/// The values a property can take through `Fn::If` (nested), as written; the node itself when
/// it is not a condition.
fn if_branches(node: &Node) -> Vec<&Node> {
    match intrinsic(node) {
        Some((name, arg)) if name == "Fn::If" => match arg.items() {
            [_, when_true, when_false] => {
                let mut branches = if_branches(when_true);
                branches.extend(if_branches(when_false));
                branches
            }
            _ => Vec::new(),
        },
        _ => vec![node],
    }
}

/// What a variable's text is: a dynamic reference to a secret, another dynamic reference, text
/// with `${...}` left in it, or a literal written at `origin`.
fn evaluated_env_value(text: String, origin: Span) -> EnvValue {
    if is_secret_resolve(&text) {
        EnvValue::ResolvedSecret {
            how: "a `{{resolve:secretsmanager:...}}` dynamic reference".to_string(),
        }
    } else if text.trim_start().starts_with("{{resolve:") {
        EnvValue::Reference
    } else if text.contains("${") || text.contains("{{resolve:") {
        EnvValue::Interpolated { text }
    } else {
        EnvValue::Literal { text, origin }
    }
}

fn is_secret_resolve(text: &str) -> bool {
    let text = text.trim_start();
    (text.starts_with("{{resolve:secretsmanager:") || text.starts_with("{{resolve:ssm-secure:"))
        && !resolves_public_field(text)
}

/// `{{resolve:secretsmanager:arn:SecretString:username}}`: a field of a database secret that
/// is no secret itself (its user name, host, port, database name, engine).
fn resolves_public_field(text: &str) -> bool {
    let Some((_, after)) = text.split_once(":SecretString:") else {
        return false;
    };
    let field = after.split([':', '}']).next().unwrap_or_default();
    matches!(
        field.to_ascii_lowercase().as_str(),
        "username" | "user" | "host" | "port" | "dbname" | "engine" | "dbclusteridentifier"
    )
}

/// `!GetAtt UserPoolClient.ClientSecret`, `!GetAtt Key.SecretAccessKey`: an attribute that is
/// a secret, said as written.
fn secret_attribute(arg: &Node) -> Option<String> {
    let (resource, attribute) = match arg.items() {
        [resource, attribute, ..] => (resource.scalar_text()?, attribute.scalar_text()?),
        _ => arg.scalar_text()?.split_once('.')?,
    };
    attribute
        .contains("Secret")
        .then(|| format!("`!GetAtt {resource}.{attribute}`"))
}

/// A `String` parameter (the default type) without `NoEcho: true`.
fn is_visible_string(parameter: &Node) -> bool {
    let no_echo = parameter
        .get("NoEcho")
        .and_then(Node::scalar_text)
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let string = parameter
        .get("Type")
        .and_then(Node::scalar_text)
        .is_none_or(|t| t == "String");
    string && !no_echo
}

/// The bus an EventBridge rule listens on: the logical id its `EventBusName` refers to, the
/// name it gives, or the account's `default` bus.
fn bus_of(properties: Option<&Node>) -> String {
    let Some(name) = properties.and_then(|p| p.get("EventBusName")) else {
        return "default".to_string();
    };
    let mut ids = Vec::new();
    referenced_ids(name, &mut ids);
    ids.into_iter()
        .next()
        .or_else(|| name.as_str().map(str::to_string))
        .unwrap_or_else(|| "default".to_string())
}

/// The resource a SAM event's properties name as its source: `Queue`, `Bucket`, `Topic`,
/// `Stream` (a table's or a Kinesis stream's), by logical id.
fn event_source(properties: &Node) -> Option<String> {
    ["Queue", "Bucket", "Topic", "Stream"]
        .iter()
        .find_map(|field| properties.get(field))
        .and_then(|source| {
            let mut ids = Vec::new();
            referenced_ids(source, &mut ids);
            ids.into_iter().next()
        })
}

fn sam_event((name, event): &(Node, Node)) -> Event {
    let kind = match event.get("Type").and_then(Node::as_str) {
        Some("Api") => EventKind::RestApi,
        Some("HttpApi") => EventKind::HttpApi,
        Some(other) => EventKind::Other(other.to_string()),
        None => EventKind::Other("unknown".to_string()),
    };
    let properties = event.get("Properties");
    let path_node = properties.and_then(|p| p.get("Path"));
    let method = properties
        .and_then(|p| p.get("Method"))
        .and_then(Node::as_str)
        .map(str::to_string);
    let mut path = path_node.and_then(Node::as_str).map(normalize_path);
    if kind == EventKind::HttpApi && path.is_none() && method.is_none() {
        path = Some("$default".to_string()); // what SAM creates for an HttpApi event without a route
    }
    let api = matches!(kind, EventKind::RestApi | EventKind::HttpApi);
    let source = match kind.is_bus_rule() {
        true => Some(bus_of(properties)),
        false => properties.and_then(event_source),
    };
    Event {
        catch_all: api && is_catch_all_route(method.as_deref(), path.as_deref()),
        kind,
        method,
        path,
        span: path_node.map_or(name.span, |p| p.span),
        details: EventDetails {
            source,
            timeout_ms: properties
                .and_then(|p| p.get("TimeoutInMillis"))
                .and_then(|t| Some(Located::new(parse_u64(t.as_str()?)?, t.span))),
            asynchronous: false,
            filtered: properties
                .is_some_and(|p| p.get("Filter").is_some() || p.get("FilterCriteria").is_some()),
            event_sources: properties
                .and_then(|p| p.path(&["Pattern", "source"]))
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect(),
        },
    }
}

/// SAM `Globals` semantics: the function's own value wins; mappings are merged key by key.
fn merge(global: &Node, local: &Node) -> Node {
    let (Value::Map(global_entries), Value::Map(local_entries)) = (&global.value, &local.value)
    else {
        return local.clone();
    };
    if local.tag.is_some() || intrinsic(local).is_some() {
        return local.clone();
    }
    let mut entries: Vec<(Node, Node)> = local_entries
        .iter()
        .map(|(key, value)| {
            let inherited = key.scalar_text().and_then(|k| global.get(k));
            let value = inherited.map_or_else(|| value.clone(), |g| merge(g, value));
            (key.clone(), value)
        })
        .collect();
    for (key, value) in global_entries {
        let name = key.scalar_text();
        if name.is_some_and(|name| local.get(name).is_none()) {
            entries.push((key.clone(), value.clone()));
        }
    }
    Node {
        value: Value::Map(entries),
        span: local.span,
        tag: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::yaml;

    fn template(text: &str) -> Template {
        let root = yaml::parse(text).unwrap();
        assert!(is_template(&root));
        extract(&root)
    }

    const SAM: &str = r#"
Transform: AWS::Serverless-2016-10-31
Parameters:
  JavaRuntime:
    Type: String
    Default: java21
Globals:
  Function:
    Runtime: python3.12
    SnapStart:
      ApplyOn: PublishedVersions
    Environment:
      Variables:
        STAGE: prod
        TABLE: !Ref Table
Resources:
  Api:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      AutoPublishAlias: live
      Environment:
        Variables:
          STAGE: dev
      Events:
        Proxy:
          Type: Api
          Properties:
            Path: /{proxy+}
            Method: ANY
        Root:
          Type: HttpApi
  Java:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: !Ref JavaRuntime
      SnapStart:
        ApplyOn: None
      FunctionUrlConfig:
        AuthType: NONE
"#;

    #[test]
    fn globals_merge_into_functions_with_their_own_spans() {
        let t = template(SAM);
        let api = &t.functions[0];
        assert_eq!(api.runtime.as_ref().unwrap().value, "python3.12");
        assert!(api.snapstart_enabled().is_some());
        assert!(api.publishes_versions);
        let vars: Vec<_> = api
            .environment
            .iter()
            .map(|v| (v.name.value.as_str(), v.from_defaults))
            .collect();
        assert_eq!(vars, [("STAGE", false), ("TABLE", true)]);
        assert_eq!(api.environment[1].value, EnvValue::Reference);
        let stage = &api.environment[0].value;
        assert!(matches!(stage, EnvValue::Literal { text, .. } if text == "dev"));
    }

    #[test]
    fn events_and_catch_all_routes() {
        let t = template(SAM);
        let api = &t.functions[0];
        assert_eq!(api.events.len(), 2);
        assert!(api.events.iter().all(|e| e.catch_all));
        assert_eq!(&SAM[api.events[0].span.range()], "/{proxy+}");
        assert_eq!(&SAM[api.events[1].span.range()], "Root");
    }

    #[test]
    fn parameter_defaults_resolve_and_local_values_win() {
        let t = template(SAM);
        let java = &t.functions[1];
        assert_eq!(java.runtime.as_ref().unwrap().value, "java21");
        assert!(java.snapstart_enabled().is_none());
        assert_eq!(java.events[0].kind, EventKind::FunctionUrl);
    }

    #[test]
    fn cloudformation_links_urls_versions_and_routes() {
        let t = template(
            r#"{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Resources": {
    "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Runtime": "java17"}},
    "FnVersion": {"Type": "AWS::Lambda::Version", "Properties": {"FunctionName": {"Ref": "Fn"}}},
    "FnUrl": {"Type": "AWS::Lambda::Url", "Properties": {"TargetFunctionArn": {"Fn::GetAtt": ["Fn", "Arn"]}}},
    "Integration": {"Type": "AWS::ApiGatewayV2::Integration", "Properties": {
      "IntegrationUri": {"Fn::Sub": "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations"}}},
    "Route": {"Type": "AWS::ApiGatewayV2::Route", "Properties": {
      "RouteKey": "ANY /{proxy+}", "Target": {"Fn::Join": ["/", ["integrations", {"Ref": "Integration"}]]}}}
  }
}"#,
        );
        let f = &t.functions[0];
        assert!(f.publishes_versions);
        let kinds: Vec<_> = f.events.iter().map(|e| (&e.kind, e.catch_all)).collect();
        assert_eq!(
            kinds,
            [
                (&EventKind::FunctionUrl, false),
                (&EventKind::HttpApi, true)
            ]
        );
    }

    #[test]
    fn snapstart_on_one_branch_of_a_condition_is_snapstart() {
        let t = template(
            "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: java21\n      SnapStart: !If [IsProd, {ApplyOn: PublishedVersions}, !Ref AWS::NoValue]\n",
        );
        assert!(t.functions[0].snapstart.as_ref().is_some_and(|s| s.enabled));
        let off = template(
            "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      SnapStart: !If [IsProd, {ApplyOn: None}, !Ref AWS::NoValue]\n",
        );
        assert!(off.functions[0]
            .snapstart
            .as_ref()
            .is_some_and(|s| !s.enabled));
    }

    #[test]
    fn sub_with_literal_password_is_interpolated_and_dynamic_references_are_not_literal() {
        let t = template(
            r#"
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Environment:
        Variables:
          DB_URL: !Sub "postgres://app:hunter2@${Db.Endpoint.Address}/app"
          DB_PASSWORD: "{{resolve:secretsmanager:prod/db:SecretString:password}}"
          PLAIN: !Sub "no-variables"
          DB_USER: !Sub "{{resolve:secretsmanager:${SecretArn}:SecretString:username}}"
          DB_SECRET: !Sub "{{resolve:secretsmanager:${SecretArn}:SecretString:password}}"
"#,
        );
        let env = &t.functions[0].environment;
        assert!(
            matches!(&env[0].value, EnvValue::Interpolated { text } if text.contains("hunter2"))
        );
        assert!(matches!(&env[1].value, EnvValue::ResolvedSecret { .. }));
        assert!(matches!(&env[2].value, EnvValue::Literal { text, .. } if text == "no-variables"));
        // The user name of a database secret is no secret; its password is.
        assert_eq!(env[3].value, EnvValue::Reference);
        assert!(matches!(&env[4].value, EnvValue::ResolvedSecret { .. }));
    }

    #[test]
    fn a_parameter_default_is_a_literal_in_the_template() {
        let t = template(
            "Parameters:\n  Token:\n    Type: String\n    NoEcho: true\n    Default: poc-token-42\n  Secret:\n    Type: String\n    NoEcho: true\nResources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Environment:\n        Variables:\n          TOKEN: !Ref Token\n          SECRET: !Ref Secret\n",
        );
        let env = &t.functions[0].environment;
        assert!(matches!(&env[0].value, EnvValue::Literal { text, .. } if text == "poc-token-42"));
        assert_eq!(env[1].value, EnvValue::Reference);
    }

    #[test]
    fn metadata_suppressions_cover_the_resource() {
        let t = template(
            "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Metadata:\n      faaslint:\n        ignore: [FL501]\n",
        );
        assert_eq!(t.suppressions.len(), 1);
        assert_eq!(t.suppressions[0].code.value, "FL501");
    }

    #[test]
    fn recognises_templates_by_content() {
        let text = "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n";
        let root = yaml::parse(text).unwrap();
        assert!(is_template(&root));
        let compose = "services:\n  db:\n    image: postgres\n";
        let root = yaml::parse(compose).unwrap();
        assert!(!is_template(&root));
    }
}
