//! What a template says about its functions, independent of SAM, CloudFormation or Serverless.

use super::ids::FileId;
use crate::source::Span;

/// A value and where the user wrote it.
#[derive(Clone, Debug, PartialEq)]
pub struct Located<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Located<T> {
    pub fn new(value: T, span: Span) -> Self {
        Located { value, span }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// `AWS::Serverless::Function` in a SAM template.
    Sam,
    /// `AWS::Lambda::Function` in a CloudFormation (or SAM) template.
    CloudFormation,
    /// A function in `serverless.yml`.
    Serverless,
    /// An `aws_lambda_function` resource or a `terraform-aws-modules/lambda/aws` module.
    Terraform,
    /// A Cloudflare Worker in `wrangler.toml` / `wrangler.json(c)`.
    Wrangler,
    /// A function construct of a CDK app (TypeScript or Python).
    Cdk,
}

/// How an environment variable's value is given.
#[derive(Clone, Debug, PartialEq)]
pub enum EnvValue {
    /// Literal text in the template. `origin` is where the literal is written when a variable
    /// resolved it from elsewhere (`${self:custom.key}`), else the value's own span.
    Literal { text: String, origin: Span },
    /// Literal text with references spliced in (`!Sub "postgres://u:p@${Host}/db"`). Only the
    /// literal parts can leak a secret.
    Interpolated { text: String },
    /// Resolved at deploy or run time: `!Ref`, `{{resolve:ssm:...}}`, `${ssm:...}`, ...
    Reference,
    /// A secret resolved at deploy time into the function's configuration, where anyone with
    /// `lambda:GetFunctionConfiguration` reads it: how (`` `{{resolve:secretsmanager:...}}` ``,
    /// `` `!GetAtt UserPoolClient.ClientSecret` ``).
    ResolvedSecret { how: String },
    /// `!Ref` to a parameter without `NoEcho`: its value shows in the console and in
    /// `describe-stacks`.
    VisibleParameter { name: String },
}

#[derive(Clone, Debug, PartialEq)]
pub struct EnvVar {
    pub name: Located<String>,
    pub value: EnvValue,
    /// The value as written at the variable (may be in SAM `Globals` or `provider.environment`).
    pub value_span: Span,
    /// Inherited from SAM `Globals` or serverless `provider.environment`.
    pub from_defaults: bool,
    /// Logical ids the value refers to (`!Ref BillingFunction`, `!GetAtt Billing.Arn`).
    pub references: Vec<String>,
    /// The choice that gives the variable this value, when it has several (`!If`,
    /// `!FindInMap` on a parameter): "when `IsProd` is true".
    pub condition: Option<String>,
    /// Written in a file the template includes (Serverless `${file(...)}`): its value (and, for
    /// a whole included `environment`, its name) are positions in that file.
    pub included: Option<Included>,
}

/// Where an environment variable written in an included file comes from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Included {
    /// The included file. A front end gives the index of the file in [`Template::includes`];
    /// [`Project::add_template`](super::Project::add_template) makes it the file's id.
    pub file: FileId,
    /// The variable in the template that reads it: a `${file(...)}`, or a `${self:...}` path
    /// through a key that includes the file.
    pub at: Span,
    /// Where the `${file(...)}` is written, when that is not `at` (`custom.secrets:
    /// ${file(./secrets.yml)}` read as `${self:custom.secrets.KEY}`).
    pub site: Option<Span>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventKind {
    RestApi,
    HttpApi,
    /// A route of an API Gateway WebSocket API (`$connect`, `$default`, an action).
    WebSocketApi,
    FunctionUrl,
    Alb,
    Other(String),
}

impl EventKind {
    /// Whether a person waits on the other side of this trigger.
    pub fn is_user_facing(&self) -> bool {
        !matches!(self, EventKind::Other(_))
    }

    pub fn describe(&self) -> &str {
        match self {
            EventKind::RestApi => "API Gateway REST API",
            EventKind::HttpApi => "API Gateway HTTP API",
            EventKind::WebSocketApi => "API Gateway WebSocket API",
            EventKind::FunctionUrl => "function URL",
            EventKind::Alb => "Application Load Balancer",
            EventKind::Other(kind) => kind,
        }
    }

    /// The description with its article: "an API Gateway HTTP API", "a function URL".
    pub fn describe_with_article(&self) -> String {
        let text = self.describe();
        let article = if text.starts_with(['A', 'E', 'I', 'O', 'U', 'a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        format!("{article} {text}")
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub kind: EventKind,
    pub method: Option<String>,
    pub path: Option<String>,
    /// True when the route takes every request: `/{proxy+}`, `ANY /`, `$default`, `httpApi: '*'`.
    pub catch_all: bool,
    /// Where to point: the path value, or the event itself when it has no path.
    pub span: Span,
    pub details: EventDetails,
}

/// What an event says beyond its kind and route.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EventDetails {
    /// The logical id of the resource that triggers the function: the queue, bucket, topic,
    /// table, stream or bus (`Queue: !GetAtt OrdersQueue.Arn` is `OrdersQueue`).
    pub source: Option<String>,
    /// An API integration's own timeout (SAM `TimeoutInMillis`, an integration's
    /// `TimeoutInMillis`), when set.
    pub timeout_ms: Option<Located<u64>>,
    /// The API invokes the function asynchronously (`X-Amz-Invocation-Type: 'Event'`) and
    /// does not wait for it.
    pub asynchronous: bool,
    /// The trigger filters what it passes on (an S3 key prefix or suffix, a filter pattern).
    pub filtered: bool,
    /// An EventBridge rule's pattern: the event sources it accepts (`source: [orders]`);
    /// empty when the pattern does not say.
    pub event_sources: Vec<String>,
}

/// A resource of a template that events flow through: a queue, a bucket, a topic, a table, a
/// stream, a state machine or an event bus.
#[derive(Clone, Debug, PartialEq)]
pub struct Resource {
    /// Assigned by [`Project::add_template`](super::Project::add_template).
    pub file: FileId,
    pub logical_id: String,
    pub kind: ResourceKind,
    /// The resource's logical id where it is declared.
    pub span: Span,
    /// A queue's `VisibilityTimeout`, when set (SQS's default is 30 s).
    pub visibility_timeout_s: Option<Located<u64>>,
    /// The logical ids its properties refer to: the functions a state machine calls.
    pub refers_to: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResourceKind {
    Queue,
    Bucket,
    Topic,
    Table,
    Stream,
    StateMachine,
    /// An EventBridge event bus (`default` is the account's default bus).
    Bus,
}

impl EventKind {
    /// An EventBridge rule on a bus (SAM `EventBridgeRule`, `CloudWatchEvent`).
    pub fn is_bus_rule(&self) -> bool {
        matches!(self, EventKind::Other(kind) if kind == "EventBridgeRule" || kind == "CloudWatchEvent")
    }

    /// An SQS event source (SAM `SQS`, Serverless `sqs`, an event source mapping on a queue).
    pub fn is_queue(&self) -> bool {
        matches!(self, EventKind::Other(kind) if kind.eq_ignore_ascii_case("sqs"))
    }
}

impl Event {
    pub fn route(&self) -> String {
        match (&self.method, &self.path) {
            (Some(method), Some(path)) => format!("{} {}", method.to_uppercase(), path),
            (None, Some(path)) => path.clone(),
            (Some(method), None) => method.to_uppercase(),
            (None, None) => "(every route)".to_string(),
        }
    }
}

/// What invokes a function once per event that matters, rather than per request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunsOnce {
    /// The `ServiceToken` of a `Custom::` resource: once per stack operation.
    CustomResource,
    /// The `RotationLambdaARN` of a Secrets Manager rotation schedule: once per rotation step.
    SecretRotation,
}

impl RunsOnce {
    pub fn describe(self) -> &'static str {
        match self {
            RunsOnce::CustomResource => "a CloudFormation custom resource",
            RunsOnce::SecretRotation => "a Secrets Manager rotation function",
        }
    }
}

/// Where SnapStart is switched on for a function.
#[derive(Clone, Debug, PartialEq)]
pub struct SnapStart {
    pub enabled: bool,
    pub span: Span,
}

/// A Lambda function as declared in infrastructure as code.
#[derive(Clone, Debug, PartialEq)]
pub struct Function {
    /// The template it is declared in; assigned by
    /// [`Project::add_template`](super::Project::add_template).
    pub file: FileId,
    pub logical_id: String,
    /// The logical id (or serverless function name) as written.
    pub span: Span,
    pub flavor: Flavor,
    pub runtime: Option<Located<String>>,
    /// The runtimes a conditional runtime (`!If [IsProd, java21, java17]`) can be, each with
    /// the choice that selects it; empty when the runtime is one value.
    pub runtime_branches: Vec<(Located<String>, String)>,
    /// The condition the resource is created under (`Condition: IsProd`).
    pub condition: Option<String>,
    /// It streams its responses (an API integration's `response-streaming-invocations`), which
    /// lets a REST API wait up to 15 minutes.
    pub streams_responses: bool,
    /// A durable function (`DurableConfig`): its executions are checkpointed and bounded by
    /// their own settings, not by one invocation's timeout.
    pub durable: bool,
    pub handler: Option<Located<String>>,
    pub code_uri: Option<Located<String>>,
    /// SAM esbuild `Metadata.BuildProperties.EntryPoints`: the sources the handler is built from.
    pub entry_points: Vec<String>,
    /// A literal `FunctionName`, for matching invokes by name.
    pub function_name: Option<String>,
    /// `PackageType: Image` or a serverless `image`: container images cannot use SnapStart.
    pub image: Option<Span>,
    pub memory_mb: Option<Located<u64>>,
    pub timeout_s: Option<Located<u64>>,
    pub environment: Vec<EnvVar>,
    pub events: Vec<Event>,
    pub snapstart: Option<SnapStart>,
    pub provisioned_concurrency: Option<Span>,
    /// SAM `AutoPublishAlias`, an `AWS::Lambda::Version`, or Serverless' default versioning.
    pub publishes_versions: bool,
    pub file_systems: Option<Span>,
    pub ephemeral_storage_mb: Option<Located<u64>>,
    /// Per-tenant isolation (`TenancyConfig: {TenantIsolationMode: PER_TENANT}`): neither
    /// SnapStart nor provisioned concurrency can be used with it.
    pub tenant_isolation: Option<Span>,
    /// A custom resource or a rotation schedule invokes it.
    pub runs_once: Option<RunsOnce>,
}

impl Function {
    pub fn new(logical_id: String, span: Span, flavor: Flavor) -> Self {
        Function {
            file: FileId::new(0),
            logical_id,
            span,
            flavor,
            runtime: None,
            handler: None,
            code_uri: None,
            entry_points: Vec::new(),
            function_name: None,
            image: None,
            memory_mb: None,
            timeout_s: None,
            environment: Vec::new(),
            events: Vec::new(),
            snapstart: None,
            provisioned_concurrency: None,
            publishes_versions: false,
            file_systems: None,
            ephemeral_storage_mb: None,
            tenant_isolation: None,
            runs_once: None,
            runtime_branches: Vec::new(),
            condition: None,
            streams_responses: false,
            durable: false,
        }
    }

    /// Whether a `!Ref`/`!GetAtt` of logical id `id` names this function. The Serverless
    /// Framework gives a function `orders-api` the logical id `OrdersDashapiLambdaFunction`.
    pub fn is_named_by(&self, id: &str) -> bool {
        if self.logical_id == id {
            return true;
        }
        self.flavor == Flavor::Serverless
            && id.strip_suffix("LambdaFunction").is_some_and(|normalized| {
                let mut chars = self.logical_id.chars();
                let first: String = chars
                    .next()
                    .map(|c| c.to_uppercase().collect())
                    .unwrap_or_default();
                let rest = chars
                    .as_str()
                    .replace('-', "Dash")
                    .replace('_', "Underscore");
                normalized == format!("{first}{rest}")
            })
    }

    /// The runtimes the function may run on, each with the choice that selects it: the
    /// branches of a conditional runtime, else its one runtime with no choice (`""`).
    pub fn runtimes(&self) -> Vec<(&Located<String>, &str)> {
        if self.runtime_branches.is_empty() {
            self.runtime.iter().map(|r| (r, "")).collect()
        } else {
            self.runtime_branches
                .iter()
                .map(|(r, when)| (r, when.as_str()))
                .collect()
        }
    }

    /// For a message about a function with a `Condition`: "created when `IsProd` is true".
    pub fn created_when(&self) -> Option<String> {
        self.condition
            .as_ref()
            .map(|c| format!("created when `{c}` is true"))
    }

    /// The timeout the function runs with, in seconds: its own, or its format's default (the
    /// Serverless Framework's 6 s, Lambda's 3 s).
    pub fn timeout_seconds(&self) -> u64 {
        let default = match self.flavor {
            Flavor::Serverless => 6,
            _ => 3,
        };
        self.timeout_s.as_ref().map_or(default, |t| t.value)
    }

    pub fn user_facing_event(&self) -> Option<&Event> {
        self.events.iter().find(|event| event.kind.is_user_facing())
    }

    pub fn snapstart_enabled(&self) -> Option<&SnapStart> {
        self.snapstart.as_ref().filter(|snap| snap.enabled)
    }
}

/// A suppression written as CloudFormation resource metadata:
/// `Metadata: {faaslint: {ignore: [FL501]}}`.
#[derive(Clone, Debug, PartialEq)]
pub struct MetadataSuppression {
    pub code: Located<String>,
    /// The resource it covers: findings whose span lies inside it are suppressed.
    pub resource: Span,
}

/// Everything the IaC front ends extract from one template file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Template {
    pub functions: Vec<Function>,
    pub suppressions: Vec<MetadataSuppression>,
    /// Files the template includes and that findings may point into.
    pub includes: Vec<Include>,
    pub resources: Vec<Resource>,
}

/// A file a template includes (Serverless `${file(./config/dev.yml)}`), as read.
#[derive(Clone, Debug, PartialEq)]
pub struct Include {
    pub path: std::path::PathBuf,
    pub display: String,
    pub text: String,
}
