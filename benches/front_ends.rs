//! Throughput of each handler front end on one core, against the parser it is built on:
//! how much of the time is the parser's, and so what bounds faaslint's MB/s per core.
//!
//!     cargo bench --bench front_ends -- [FOLDER] [RUNS]
//!
//! FOLDER defaults to `target/bench/mixed-1000` (made by `python3 bench/run.py --quick` or
//! `bench/generate.py`); a real repository works too (Go, Java and C# handlers are measured where
//! there are any). Prints the median of RUNS (default 5) passes over every file.

use std::path::{Path, PathBuf};
use std::time::Instant;

use faaslint::frontend::{csharp, go, java, javascript, python, rust};

fn files(dir: &Path, extension: &str, out: &mut Vec<(PathBuf, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, extension, out);
        } else if path.extension().is_some_and(|e| e == extension) {
            if let Ok(text) = std::fs::read_to_string(&path) {
                out.push((path, text));
            }
        }
    }
}

/// Median seconds of `runs` passes of `f` over every file.
fn median_seconds(runs: usize, corpus: &[(PathBuf, String)], f: impl Fn(&Path, &str)) -> f64 {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            for (path, text) in corpus {
                f(path, text);
            }
            started.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn swc_parse(path: &Path, text: &str) {
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    std::hint::black_box(javascript::parse_program(extension, text).is_ok());
}

fn tree_sitter_parse(_: &Path, text: &str) {
    std::hint::black_box(python::parse_tree(text).is_ok());
}

fn syn_parse(_: &Path, text: &str) {
    std::hint::black_box(syn::parse_file(text).is_ok());
}

fn main() {
    // `cargo bench` passes `--bench`; the rest are ours.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let folder = PathBuf::from(
        args.first()
            .cloned()
            .unwrap_or_else(|| "target/bench/mixed-1000".into()),
    );
    let runs: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(5);
    if !folder.is_dir() {
        eprintln!(
            "{} is missing: run `python3 bench/generate.py {} --services 1000` first",
            folder.display(),
            folder.display()
        );
        std::process::exit(2);
    }
    println!(
        "front ends on one core, {} (median of {runs} runs):",
        folder.display()
    );
    println!(
        "| language | files | MB | parser alone | front end (parser + model) | parser's share |"
    );
    println!("|---|---|---|---|---|---|");
    type Step = fn(&Path, &str);
    let languages: [(&str, &str, Step, Step); 6] = [
        ("TypeScript (swc)", "ts", swc_parse, |p, t| {
            std::hint::black_box(javascript::parse(p, t).is_ok());
        }),
        ("Python (tree-sitter)", "py", tree_sitter_parse, |_, t| {
            std::hint::black_box(python::parse(t).is_ok());
        }),
        ("Rust (syn)", "rs", syn_parse, |_, t| {
            std::hint::black_box(rust::parse(t).is_ok());
        }),
        (
            "Go (tree-sitter)",
            "go",
            |_, t| {
                std::hint::black_box(go::parse_tree(t).is_ok());
            },
            |_, t| {
                std::hint::black_box(go::parse(t).is_ok());
            },
        ),
        (
            "Java (tree-sitter)",
            "java",
            |_, t| {
                std::hint::black_box(java::parse_tree(t).is_ok());
            },
            |_, t| {
                std::hint::black_box(java::parse(t).is_ok());
            },
        ),
        (
            "C# (tree-sitter)",
            "cs",
            |_, t| {
                std::hint::black_box(csharp::parse_tree(t).is_ok());
            },
            |_, t| {
                std::hint::black_box(csharp::parse(t).is_ok());
            },
        ),
    ];
    for (name, extension, parser_only, front_end) in languages {
        let mut corpus = Vec::new();
        files(&folder, extension, &mut corpus);
        if corpus.is_empty() {
            continue;
        }
        let megabytes = corpus.iter().map(|(_, t)| t.len()).sum::<usize>() as f64 / 1e6;
        let parser = median_seconds(runs, &corpus, parser_only);
        let whole = median_seconds(runs, &corpus, front_end);
        println!(
            "| {name} | {} | {megabytes:.1} | {:.1} MB/s | {:.1} MB/s | {:.0}% |",
            corpus.len(),
            megabytes / parser,
            megabytes / whole,
            parser / whole * 100.0
        );
    }
}
