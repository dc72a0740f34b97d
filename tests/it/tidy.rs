//! Tidy: the architecture rules that ARCHITECTURE.md states, checked over the source as text.
//!
//! What it checks (each `#[test]` below is one rule):
//! - every `crate::` and `super::` path in `src/` (in `use` trees, grouped or not, `pub use`,
//!   and paths in code; comments and string literals skipped) points to the same top-level
//!   module or to one in an earlier tier of the "Layers" block of ARCHITECTURE.md;
//! - there is no import cycle between files (an edge is a path from one file that resolves into
//!   another; a parent's relative paths to its own children, `child::x`, are its facade and not
//!   edges, so a child may use what its parent defines);
//! - ARCHITECTURE.md names every file under `src/` and no `.rs` file that does not exist;
//! - no function in `src/` is longer than 100 lines (from its `fn` line to its closing brace);
//! - the normal dependency graph (`cargo tree`; direct dependencies included) reaches no entropy
//!   source (`rand`, `getrandom`) but through a path ARCHITECTURE.md allows.
//!
//! Exceptions exist only as list items in ARCHITECTURE.md's "Exceptions" section, each with a
//! reason; an exception nothing needs any more is an error too, so the lists stay true.
//! It is not a Rust parser: macros that build paths, `#[path]` attributes and items reached
//! through a parent's `pub use` re-exports are out of its sight (see `resolve`).
//! Self-contained on purpose (no helpers from `tests/it/common.rs`, no dependency).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

const FUNCTION_LINES_MAX: usize = 100;
const FORBIDDEN_DEPENDENCIES: [&str; 2] = ["rand", "getrandom"];

// ---------------------------------------------------------------------------------------------
// Reading the repository.

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `src/`, by its path below `src/` with `/` separators, sorted.
fn source_files() -> BTreeMap<String, String> {
    let src = root().join("src");
    let mut files = BTreeMap::new();
    let mut pending = vec![src.clone()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("src/ is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                let relative = path.strip_prefix(&src).expect("below src/");
                let name = relative.to_string_lossy().replace('\\', "/");
                let text = std::fs::read_to_string(&path).expect("source is UTF-8");
                files.insert(name, text);
            }
        }
    }
    files
}

fn architecture() -> String {
    std::fs::read_to_string(root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md is readable")
}

/// Fails with every problem at once, one per line.
fn report(rule: &str, problems: &[String]) {
    assert!(
        problems.is_empty(),
        "tidy: {rule}: {} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Text: comments and literals blanked, so what is left is code.

/// `text` with every comment, string literal and char literal replaced by spaces (newlines
/// kept, so byte offsets and line numbers stay those of the original).
fn blank_comments_and_literals(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = bytes.to_vec();
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for byte in &mut out[from..to.min(bytes.len())] {
            if *byte != b'\n' {
                *byte = b' ';
            }
        }
    };
    let mut i = 0;
    while i < bytes.len() {
        let end = literal_or_comment_end(bytes, i);
        if end > i {
            blank(&mut out, i, end);
            i = end;
        } else {
            i += 1;
        }
    }
    String::from_utf8(out).expect("only ASCII bytes were replaced, by ASCII")
}

/// If a comment or literal starts at `i`, the index just past it; otherwise `i`.
fn literal_or_comment_end(bytes: &[u8], i: usize) -> usize {
    let at = |k: usize| bytes.get(k).copied().unwrap_or(0);
    let ident_before = i > 0 && (at(i - 1).is_ascii_alphanumeric() || at(i - 1) == b'_');
    match at(i) {
        b'/' if at(i + 1) == b'/' => (i..bytes.len())
            .find(|&k| bytes[k] == b'\n')
            .unwrap_or(bytes.len()),
        b'/' if at(i + 1) == b'*' => block_comment_end(bytes, i),
        b'"' => quoted_end(bytes, i + 1),
        b'r' | b'b' if !ident_before => raw_or_byte_string_end(bytes, i),
        b'\'' => char_literal_end(bytes, i),
        _ => i,
    }
}

fn block_comment_end(bytes: &[u8], start: usize) -> usize {
    let mut depth = 0;
    let mut k = start;
    while k + 1 < bytes.len() {
        if bytes[k] == b'/' && bytes[k + 1] == b'*' {
            depth += 1;
            k += 2;
        } else if bytes[k] == b'*' && bytes[k + 1] == b'/' {
            depth -= 1;
            k += 2;
            if depth == 0 {
                return k;
            }
        } else {
            k += 1;
        }
    }
    bytes.len()
}

/// The end of a `"…"` string whose body starts at `body` (escapes honoured).
fn quoted_end(bytes: &[u8], body: usize) -> usize {
    let mut k = body;
    while k < bytes.len() {
        match bytes[k] {
            b'\\' => k += 2,
            b'"' => return k + 1,
            _ => k += 1,
        }
    }
    bytes.len()
}

/// `r"…"`, `r#"…"#`, `b"…"`, `br#"…"#`, `b'x'`; otherwise `start` (an identifier).
fn raw_or_byte_string_end(bytes: &[u8], start: usize) -> usize {
    let at = |k: usize| bytes.get(k).copied().unwrap_or(0);
    let mut k = start;
    if at(k) == b'b' {
        k += 1;
        if at(k) == b'"' {
            return quoted_end(bytes, k + 1);
        }
        if at(k) == b'\'' {
            return char_literal_end(bytes, k);
        }
    }
    if at(k) != b'r' {
        return start;
    }
    k += 1;
    let hashes = (k..bytes.len()).take_while(|&h| bytes[h] == b'#').count();
    if at(k + hashes) != b'"' {
        return start;
    }
    let closing: Vec<u8> = std::iter::once(b'"')
        .chain(std::iter::repeat_n(b'#', hashes))
        .collect();
    let body = k + hashes + 1;
    bytes[body..]
        .windows(closing.len())
        .position(|window| window == closing.as_slice())
        .map_or(bytes.len(), |found| body + found + closing.len())
}

/// A char literal (`'x'`, `'\n'`, `'\u{1F600}'`) ends after its closing quote; a lifetime or
/// label (`'a`) is not a literal, so `start` comes back.
fn char_literal_end(bytes: &[u8], start: usize) -> usize {
    let at = |k: usize| bytes.get(k).copied().unwrap_or(0);
    if at(start + 1) == b'\\' {
        // The escaped character may itself be a quote (`'\''`): the search starts after it.
        return (start + 3..bytes.len())
            .find(|&k| bytes[k] == b'\'')
            .map_or(bytes.len(), |k| k + 1);
    }
    // One character (of 1 to 4 UTF-8 bytes), then the closing quote.
    let width = match at(start + 1) {
        byte if byte >= 0xF0 => 4,
        byte if byte >= 0xE0 => 3,
        byte if byte >= 0xC0 => 2,
        _ => 1,
    };
    if at(start + 1 + width) == b'\'' {
        start + 2 + width
    } else {
        start
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset]
        .iter()
        .filter(|&&byte| byte == b'\n')
        .count()
        + 1
}

fn is_ident_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// The identifier starting at `i` (empty when none does).
fn ident_at(code: &str, i: usize) -> &str {
    let bytes = code.as_bytes();
    let end = (i..bytes.len())
        .find(|&k| !is_ident_byte(bytes[k]))
        .unwrap_or(bytes.len());
    &code[i..end]
}

fn skip_spaces(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// Whether the keyword `word` starts at `i` as a whole word.
fn word_at(code: &str, i: usize, word: &str) -> bool {
    let bytes = code.as_bytes();
    code[i..].starts_with(word)
        && (i == 0 || !is_ident_byte(bytes[i - 1]) && bytes[i - 1] != b'$')
        && bytes.get(i + word.len()).is_none_or(|&b| !is_ident_byte(b))
}

// ---------------------------------------------------------------------------------------------
// Paths: every `crate::` and `super::` path of a file, resolved from the crate root.

/// One path in a file that names something by its place in the crate.
#[derive(Clone, Debug, PartialEq, Eq)]
struct PathUse {
    line: usize,
    /// As written (a `use` tree's leaf spelled out), e.g. `crate::log::assignor::Strategy`.
    written: String,
    /// Its segments below the crate root, `super` resolved, e.g. `["log", "assignor", "Strategy"]`.
    resolved: Vec<String>,
}

/// The module path of a file: `log/assignor/mod.rs` → `[log, assignor]`, `lib.rs` → `[]`.
fn file_module(file: &str) -> Vec<String> {
    let stem = file.strip_suffix(".rs").expect("a .rs file");
    let mut segments: Vec<String> = stem.split('/').map(str::to_string).collect();
    if matches!(segments.last().map(String::as_str), Some("mod" | "lib")) {
        segments.pop();
    }
    segments
}

/// Every `crate::` and `super::` path of `text` (the file `file`), in order. Inline modules
/// (`mod tests { … }`) are followed, so `super` in them means the file's own module.
fn crate_paths(file: &str, text: &str) -> Vec<PathUse> {
    let code = blank_comments_and_literals(text);
    let bytes = code.as_bytes();
    let base = file_module(file);
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut pending_mod: Option<String> = None;
    let mut depth = 0;
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let module = || {
            let mut module = base.clone();
            module.extend(inline.iter().map(|(name, _)| name.clone()));
            module
        };
        match bytes[i] {
            b'{' => {
                depth += 1;
                if let Some(name) = pending_mod.take() {
                    inline.push((name, depth));
                }
            }
            b'}' => {
                if inline.last().is_some_and(|&(_, open)| open == depth) {
                    inline.pop();
                }
                depth -= 1;
            }
            b';' => pending_mod = None,
            _ if word_at(&code, i, "mod") => {
                let name_at = skip_spaces(bytes, i + 3);
                pending_mod = Some(ident_at(&code, name_at).to_string());
            }
            _ if word_at(&code, i, "use") => {
                let end = (i..bytes.len())
                    .find(|&k| bytes[k] == b';')
                    .unwrap_or(bytes.len());
                for (leaf, at) in use_tree_leaves(&code[i + 3..end], i + 3) {
                    found.extend(resolve_written(&leaf, &module(), line_of(text, at)));
                }
                i = end;
                continue;
            }
            _ if word_at(&code, i, "crate") || word_at(&code, i, "super") => {
                let (segments, end) = path_at(&code, i);
                if segments.len() > 1 {
                    found.extend(resolve_written(&segments, &module(), line_of(text, i)));
                }
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    found
}

/// The `a::b::c` path starting at `i` and the index after it.
fn path_at(code: &str, i: usize) -> (Vec<String>, usize) {
    let bytes = code.as_bytes();
    let mut segments = vec![ident_at(code, i).to_string()];
    let mut end = i + segments[0].len();
    loop {
        let colons = skip_spaces(bytes, end);
        if !code[colons..].starts_with("::") {
            return (segments, end);
        }
        let next = skip_spaces(bytes, colons + 2);
        let segment = ident_at(code, next);
        if segment.is_empty() {
            return (segments, end);
        }
        segments.push(segment.to_string());
        end = next + segment.len();
    }
}

/// The full paths a `use` tree names (`crate::{a::x, b::{y, z}}` → three), each with the
/// offset of its last segment. `self` in a group names the group's prefix; `as` renames drop.
fn use_tree_leaves(tree: &str, offset: usize) -> Vec<(Vec<String>, usize)> {
    let bytes = tree.as_bytes();
    let mut leaves = Vec::new();
    let mut prefix: Vec<String> = Vec::new();
    let mut groups: Vec<usize> = Vec::new();
    let mut pending: Option<usize> = None;
    let mut renamed = false;
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        let ident = ident_at(tree, i);
        match byte {
            b'{' => groups.push(prefix.len()),
            b',' | b'}' => {
                if let Some(at) = pending.take() {
                    leaves.push((leaf(&prefix), offset + at));
                }
                let base = if byte == b'}' {
                    groups.pop().unwrap_or(0)
                } else {
                    groups.last().copied().unwrap_or(0)
                };
                prefix.truncate(base);
                renamed = false;
            }
            b'*' => {
                leaves.push((leaf(&prefix), offset + i));
                pending = None;
            }
            _ if ident == "as" => renamed = true,
            _ if !ident.is_empty() => {
                if !renamed {
                    prefix.push(ident.to_string());
                    pending = Some(i);
                }
                i += ident.len();
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    if let Some(at) = pending {
        leaves.push((leaf(&prefix), offset + at));
    }
    leaves
}

/// A use tree's leaf without a trailing `self` (`crate::log::{self}` names `crate::log`).
fn leaf(prefix: &[String]) -> Vec<String> {
    let mut path = prefix.to_vec();
    if path.last().is_some_and(|last| last == "self") {
        path.pop();
    }
    path
}

/// A written path, resolved from the crate root when it starts with `crate` or `super`.
fn resolve_written(segments: &[String], module: &[String], line: usize) -> Option<PathUse> {
    let resolved = match segments.first().map(String::as_str) {
        Some("crate") => segments[1..].to_vec(),
        Some("super") => {
            let supers = segments.iter().take_while(|s| *s == "super").count();
            let mut resolved = module[..module.len().checked_sub(supers)?].to_vec();
            resolved.extend_from_slice(&segments[supers..]);
            resolved
        }
        _ => return None,
    };
    Some(PathUse {
        line,
        written: segments.join("::"),
        resolved,
    })
}

// ---------------------------------------------------------------------------------------------
// ARCHITECTURE.md: the Layers block and the exception lists.

/// The tiers of the "Layers" heading's ```text block, earliest first. A line is a tier, its
/// names separated by spaces or commas; `#` starts a comment.
fn parse_layers(architecture: &str) -> Vec<Vec<String>> {
    let mut lines = architecture
        .lines()
        .skip_while(|line| {
            !(line.starts_with('#') && line.trim_start_matches('#').trim() == "Layers")
        })
        .skip_while(|line| line.trim() != "```text")
        .skip(1);
    let mut tiers = Vec::new();
    for line in lines.by_ref() {
        if line.trim() == "```" {
            return tiers;
        }
        let code = line.split('#').next().unwrap_or("");
        let names: Vec<String> = code
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|name| !name.is_empty())
            .map(str::to_string)
            .collect();
        if !names.is_empty() {
            tiers.push(names);
        }
    }
    panic!("tidy: ARCHITECTURE.md has no closed ```text block under a \"Layers\" heading");
}

/// One allowed exception: a list item "- `KEY` — reason" under the "Exceptions" heading.
#[derive(Clone, Debug)]
struct Exception {
    key: String,
    /// The `####` heading it is listed under.
    list: String,
}

/// The exceptions, and the problems with the lists themselves (no reason, unknown key form).
fn parse_exceptions(architecture: &str) -> (Vec<Exception>, Vec<String>) {
    let mut exceptions = Vec::new();
    let mut problems = Vec::new();
    let mut inside = false;
    let mut list = String::new();
    for (index, line) in architecture.lines().enumerate() {
        let heading = line.trim_start_matches('#').trim();
        if line.starts_with("## ") || line.starts_with("### ") {
            inside = heading == "Exceptions";
            continue;
        }
        if line.starts_with("#### ") {
            list = heading.to_string();
            continue;
        }
        let Some(item) = line.strip_prefix("- `").filter(|_| inside) else {
            continue;
        };
        let Some((key, rest)) = item.split_once('`') else {
            problems.push(format!(
                "ARCHITECTURE.md:{}: an exception without its closing backtick",
                index + 1
            ));
            continue;
        };
        let reason = rest.trim_start_matches([' ', '—', '-', ':']).trim();
        if reason.is_empty() {
            problems.push(format!(
                "ARCHITECTURE.md:{}: exception `{key}` gives no reason",
                index + 1
            ));
        }
        if !key.contains(" -> ") && !key.contains(".rs::") && !key.ends_with(".rs") {
            problems.push(format!(
                "ARCHITECTURE.md:{}: exception `{key}` is not an edge `a -> b`, a function `file.rs::name` or a file `dir/file.rs`",
                index + 1
            ));
        }
        exceptions.push(Exception {
            key: key.to_string(),
            list: list.clone(),
        });
    }
    (exceptions, problems)
}

/// What a check found, and which exceptions it needed (so unused ones can be reported).
#[derive(Debug, Default)]
struct Outcome {
    problems: Vec<String>,
    used: BTreeSet<String>,
}

impl Outcome {
    /// Records a problem unless `key` is an allowed exception.
    fn unless_allowed(&mut self, exceptions: &[Exception], key: &str, problem: String) {
        if exceptions.iter().any(|exception| exception.key == key) {
            self.used.insert(key.to_string());
        } else {
            self.problems.push(problem);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The checks, as pure functions of the texts.

/// The top-level module a file belongs to (`lib` for `lib.rs`).
fn top_module(file: &str) -> String {
    file_module(file)
        .first()
        .cloned()
        .unwrap_or_else(|| "lib".to_string())
}

/// Files of the library crate (`main.rs` is the binary: it reaches the library as `eventlab`).
fn library_files(files: &BTreeMap<String, String>) -> impl Iterator<Item = (&String, &String)> {
    files.iter().filter(|(file, _)| file.as_str() != "main.rs")
}

/// Every module-level edge against the tiers; edges out of a module must go to earlier tiers.
fn check_layers(
    files: &BTreeMap<String, String>,
    tiers: &[Vec<String>],
    exceptions: &[Exception],
) -> Outcome {
    let mut outcome = Outcome::default();
    let tier_of: BTreeMap<&str, usize> = tiers
        .iter()
        .enumerate()
        .flat_map(|(tier, names)| names.iter().map(move |name| (name.as_str(), tier)))
        .collect();
    let modules: BTreeSet<String> = library_files(files)
        .map(|(file, _)| top_module(file))
        .collect();
    for module in &modules {
        if !tier_of.contains_key(module.as_str()) {
            outcome.problems.push(format!(
                "module `{module}` is missing from ARCHITECTURE.md's Layers block"
            ));
        }
    }
    for name in tier_of.keys() {
        if !modules.contains(*name) {
            outcome.problems.push(format!(
                "the Layers block names `{name}`, which is not a module under src/"
            ));
        }
    }
    for (file, text) in library_files(files) {
        let from = top_module(file);
        for path in crate_paths(file, text) {
            let to = match path.resolved.first() {
                Some(first) if modules.contains(first) => first.clone(),
                _ => "lib".to_string(),
            };
            let (Some(&from_tier), Some(&to_tier)) =
                (tier_of.get(from.as_str()), tier_of.get(to.as_str()))
            else {
                continue;
            };
            if from == to || to_tier < from_tier {
                continue;
            }
            let rule = if to_tier == from_tier {
                "modules of one tier do not import each other"
            } else {
                "a module imports only modules of earlier tiers"
            };
            let problem = format!(
                "src/{file}:{}: `{}`: {from} (tier {}) imports {to} (tier {}): {rule}",
                path.line,
                path.written,
                from_tier + 1,
                to_tier + 1
            );
            outcome.unless_allowed(exceptions, &format!("{from} -> {to}"), problem);
        }
    }
    outcome
}

/// The file a resolved path lands in: the longest prefix of it that is a file's module.
fn target_file<'f>(
    by_module: &BTreeMap<Vec<String>, &'f str>,
    resolved: &[String],
) -> Option<&'f str> {
    (0..=resolved.len())
        .rev()
        .find_map(|length| by_module.get(&resolved[..length]).copied())
}

/// Edges between files, each with the first place that makes it (`src/a.rs:12: `path``);
/// edges listed as exceptions (`a.rs -> b.rs`) are left out, and recorded as used.
fn file_edges(
    files: &BTreeMap<String, String>,
    exceptions: &[Exception],
    used: &mut BTreeSet<String>,
) -> BTreeMap<(String, String), String> {
    let by_module: BTreeMap<Vec<String>, &str> = library_files(files)
        .map(|(file, _)| (file_module(file), file.as_str()))
        .collect();
    let mut edges = BTreeMap::new();
    for (file, text) in library_files(files) {
        for path in crate_paths(file, text) {
            let Some(target) = target_file(&by_module, &path.resolved) else {
                continue;
            };
            if target == file {
                continue;
            }
            let key = format!("{file} -> {target}");
            if exceptions.iter().any(|exception| exception.key == key) {
                used.insert(key);
                continue;
            }
            edges
                .entry((file.clone(), target.to_string()))
                .or_insert_with(|| format!("src/{file}:{}: `{}`", path.line, path.written));
        }
    }
    edges
}

/// Strongly connected components of more than one node (Tarjan's algorithm, with an explicit
/// stack instead of recursion), each sorted, in order of their first node.
fn cycles(nodes: &[String], edges: &BTreeMap<(String, String), String>) -> Vec<Vec<String>> {
    let index_of: BTreeMap<&str, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let mut next: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    for (from, to) in edges.keys() {
        next[index_of[from.as_str()]].push(index_of[to.as_str()]);
    }
    let mut order = vec![usize::MAX; nodes.len()];
    let mut low = vec![0; nodes.len()];
    let mut on_stack = vec![false; nodes.len()];
    let mut stack = Vec::new();
    let mut counter = 0;
    let mut found = Vec::new();
    for start in 0..nodes.len() {
        if order[start] != usize::MAX {
            continue;
        }
        // Each frame: a node and how many of its successors it has visited.
        let mut frames = vec![(start, 0)];
        order[start] = counter;
        low[start] = counter;
        counter += 1;
        stack.push(start);
        on_stack[start] = true;
        while let Some(&mut (node, ref mut visited)) = frames.last_mut() {
            if let Some(&successor) = next[node].get(*visited) {
                *visited += 1;
                if order[successor] == usize::MAX {
                    order[successor] = counter;
                    low[successor] = counter;
                    counter += 1;
                    stack.push(successor);
                    on_stack[successor] = true;
                    frames.push((successor, 0));
                } else if on_stack[successor] {
                    low[node] = low[node].min(order[successor]);
                }
                continue;
            }
            frames.pop();
            if let Some(&(parent, _)) = frames.last() {
                low[parent] = low[parent].min(low[node]);
            }
            if low[node] == order[node] {
                let mut component = Vec::new();
                while let Some(member) = stack.pop() {
                    on_stack[member] = false;
                    component.push(nodes[member].clone());
                    if member == node {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    found.push(component);
                }
            }
        }
    }
    found.sort();
    found
}

fn check_file_cycles(files: &BTreeMap<String, String>, exceptions: &[Exception]) -> Outcome {
    let mut outcome = Outcome::default();
    let edges = file_edges(files, exceptions, &mut outcome.used);
    let nodes: Vec<String> = library_files(files).map(|(file, _)| file.clone()).collect();
    for component in cycles(&nodes, &edges) {
        let members: BTreeSet<&String> = component.iter().collect();
        let inside: Vec<&String> = edges
            .iter()
            .filter(|((from, to), _)| members.contains(from) && members.contains(to))
            .map(|(_, place)| place)
            .collect();
        outcome.problems.push(format!(
            "an import cycle between {}; its edges: {}",
            component.join(", "),
            inside
                .iter()
                .map(|place| place.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    outcome
}

/// Every function's name, first line and length in lines (its `fn` line to its closing brace).
fn function_lengths(text: &str) -> Vec<(String, usize, usize)> {
    let code = blank_comments_and_literals(text);
    let bytes = code.as_bytes();
    let mut found = Vec::new();
    for start in 0..bytes.len() {
        if !word_at(&code, start, "fn") {
            continue;
        }
        let name_at = skip_spaces(bytes, start + 2);
        let name = ident_at(&code, name_at);
        if name.is_empty() {
            continue; // `fn(u32) -> u32`, a type.
        }
        if let Some(end) = body_end(bytes, name_at + name.len()) {
            let first = line_of(text, start);
            found.push((name.to_string(), first, line_of(text, end) - first + 1));
        }
    }
    found
}

/// The offset of the closing brace of the body that follows a function's signature, or None
/// when a `;` at the top level ends it first (a declaration without a body).
fn body_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut nesting = 0i64;
    let mut depth = 0i64;
    for (k, &byte) in bytes.iter().enumerate().skip(from) {
        match byte {
            b'(' | b'[' => nesting += 1,
            b')' | b']' => nesting -= 1,
            b';' if nesting == 0 && depth == 0 => return None,
            b'{' if nesting == 0 || depth > 0 => depth += 1,
            b'}' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    return Some(k);
                }
            }
            _ => {}
        }
    }
    None
}

fn check_function_lengths(files: &BTreeMap<String, String>, exceptions: &[Exception]) -> Outcome {
    let mut outcome = Outcome::default();
    for (file, text) in files {
        for (name, line, length) in function_lengths(text) {
            if length > FUNCTION_LINES_MAX {
                let problem = format!(
                    "src/{file}:{line}: fn `{name}` is {length} lines (at most {FUNCTION_LINES_MAX})"
                );
                outcome.unless_allowed(exceptions, &format!("{file}::{name}"), problem);
            }
        }
    }
    outcome
}

/// The `src/` directories a heading names (`### \`src/log/\`` → `log/`), and `src/` itself.
fn heading_dirs(heading: &str) -> Vec<String> {
    let mut dirs = vec![String::new()];
    for token in heading.split(['`', ' ', ',']) {
        if let Some(dir) = token.strip_prefix("src/").filter(|dir| dir.ends_with('/')) {
            dirs.push(dir.to_string());
        }
    }
    dirs
}

/// ARCHITECTURE.md names a file under `src/` when it writes its path (`src/log/broker.rs`, or
/// `log/broker.rs` in backticks), or, in a section whose heading names its directory
/// (`### \`src/log/\``), its path below that directory in backticks (`broker.rs`,
/// `assignor/range.rs`); such a heading names the directory's `mod.rs`. Every `.rs` path it
/// writes in backticks must exist: below a directory its heading names or `src/`, or, when it
/// starts with another top-level directory (`tests/…`), below the repository root.
fn check_named(
    files: &BTreeSet<String>,
    architecture: &str,
    exceptions: &[Exception],
    exists: &dyn Fn(&str) -> bool,
) -> Outcome {
    let mut named: BTreeSet<String> = BTreeSet::new();
    let mut problems = Vec::new();
    let mut dirs = vec![String::new()];
    let mut in_exceptions = false;
    for (index, line) in architecture.lines().enumerate() {
        if line.starts_with("## ") || line.starts_with("### ") {
            // The exception lists name files in order to excuse them, which is not naming them.
            in_exceptions = line.trim_start_matches('#').trim() == "Exceptions";
        }
        if in_exceptions {
            continue;
        }
        if line.starts_with('#') {
            dirs = heading_dirs(line);
            named.extend(dirs.iter().skip(1).map(|dir| format!("{dir}mod.rs")));
        }
        for token in line.split('`').skip(1).step_by(2) {
            let token = token.trim();
            if !token.ends_with(".rs") || token.contains(['*', ' ']) {
                continue;
            }
            if let Some(below_src) = token.strip_prefix("src/") {
                named.insert(below_src.to_string());
                if !exists(token) {
                    problems.push(format!(
                        "ARCHITECTURE.md:{}: `{token}` does not exist",
                        index + 1
                    ));
                }
                continue;
            }
            // A path below another top-level directory of the repository (`tests/…`), unless
            // src/ has a directory of that name too.
            let first = token.split('/').next().unwrap_or("");
            if token.contains('/')
                && first != "src"
                && exists(first)
                && !files.iter().any(|f| f.starts_with(&format!("{first}/")))
            {
                if !exists(token) {
                    problems.push(format!(
                        "ARCHITECTURE.md:{}: `{token}` does not exist",
                        index + 1
                    ));
                }
                continue;
            }
            match dirs.iter().map(|dir| format!("{dir}{token}")).find(|file| files.contains(file)) {
                Some(file) => {
                    named.insert(file);
                }
                None => problems.push(format!(
                    "ARCHITECTURE.md:{}: `{token}` is not a file below src/ or a directory this section's heading names",
                    index + 1
                )),
            }
        }
    }
    let mut outcome = Outcome {
        problems,
        used: BTreeSet::new(),
    };
    for file in files {
        if !named.contains(file) && !architecture.contains(&format!("src/{file}")) {
            let problem = format!("src/{file} is not named in ARCHITECTURE.md");
            outcome.unless_allowed(exceptions, file, problem);
        }
    }
    outcome
}

/// Every path from eventlab to an entropy source in `cargo tree --prefix depth` output (a line
/// is the depth, then `name version …`), as `a -> b -> getrandom` from eventlab's direct
/// dependency down; each is a problem unless ARCHITECTURE.md allows that path.
fn check_dependency_graph(tree: &str, exceptions: &[Exception]) -> Outcome {
    let mut outcome = Outcome::default();
    let mut stack: Vec<&str> = Vec::new();
    for line in tree.lines() {
        let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let (Ok(depth), Some(name)) = (
            line[..digits].parse::<usize>(),
            line[digits..].split_whitespace().next(),
        ) else {
            continue;
        };
        stack.truncate(depth);
        stack.push(name);
        if depth > 0 && FORBIDDEN_DEPENDENCIES.contains(&name) {
            let path = stack[1..].join(" -> ");
            let problem = format!(
                "the build links `{name}`, an entropy source, through {path}: depend on rand_core and rand_chacha only"
            );
            outcome.unless_allowed(exceptions, &path, problem);
        }
    }
    outcome
}

/// `cargo tree` of the normal (non-dev) dependency graph, every path spelled out.
fn normal_dependency_tree() -> String {
    let output = std::process::Command::new(env!("CARGO"))
        .args([
            "tree",
            "--edges",
            "normal",
            "--no-dedupe",
            "--prefix",
            "depth",
        ])
        .args([
            "--format",
            "{p}",
            "--locked",
            "--offline",
            "--package",
            "eventlab",
        ])
        .current_dir(root())
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("cargo tree prints UTF-8")
}

// ---------------------------------------------------------------------------------------------
// The rules, over this repository.

fn exceptions() -> Vec<Exception> {
    let (exceptions, problems) = parse_exceptions(&architecture());
    report("ARCHITECTURE.md's exception lists", &problems);
    exceptions
}

#[test]
fn every_import_follows_the_layer_order() {
    let outcome = check_layers(
        &source_files(),
        &parse_layers(&architecture()),
        &exceptions(),
    );
    report("layers (ARCHITECTURE.md, \"Layers\")", &outcome.problems);
}

#[test]
fn no_import_cycle_between_files() {
    let outcome = check_file_cycles(&source_files(), &exceptions());
    report("file import cycles", &outcome.problems);
}

#[test]
fn architecture_names_every_file_and_only_files_that_exist() {
    let files: BTreeSet<String> = source_files().into_keys().collect();
    let outcome = check_named(&files, &architecture(), &exceptions(), &|path| {
        root().join(path).exists()
    });
    report("ARCHITECTURE.md's code map", &outcome.problems);
}

#[test]
fn no_function_is_longer_than_100_lines() {
    let outcome = check_function_lengths(&source_files(), &exceptions());
    report("function length", &outcome.problems);
}

#[test]
fn no_entropy_source_in_the_build_but_the_allowed_paths() {
    let outcome = check_dependency_graph(&normal_dependency_tree(), &exceptions());
    report("dependency graph", &outcome.problems);
}

#[test]
fn every_exception_is_still_needed() {
    let files = source_files();
    let exceptions = exceptions();
    let mut used = check_layers(&files, &parse_layers(&architecture()), &exceptions).used;
    used.extend(check_file_cycles(&files, &exceptions).used);
    used.extend(check_function_lengths(&files, &exceptions).used);
    let names: BTreeSet<String> = files.keys().cloned().collect();
    let exists = |path: &str| root().join(path).exists();
    used.extend(check_named(&names, &architecture(), &exceptions, &exists).used);
    used.extend(check_dependency_graph(&normal_dependency_tree(), &exceptions).used);
    let problems: Vec<String> = exceptions
        .iter()
        .filter(|exception| !used.contains(&exception.key))
        .map(|exception| {
            format!(
                "`{}` (under \"{}\") is allowed but nothing needs it: remove it",
                exception.key, exception.list
            )
        })
        .collect();
    report("ARCHITECTURE.md's exception lists", &problems);
}

// ---------------------------------------------------------------------------------------------
// The checks themselves, on planted examples: each must catch what it is for.

fn planted(files: &[(&str, &str)]) -> BTreeMap<String, String> {
    files
        .iter()
        .map(|(file, text)| (file.to_string(), text.to_string()))
        .collect()
}

fn tiers(lines: &[&str]) -> Vec<Vec<String>> {
    lines
        .iter()
        .map(|line| line.split_whitespace().map(str::to_string).collect())
        .collect()
}

fn written(file: &str, text: &str) -> Vec<String> {
    crate_paths(file, text)
        .into_iter()
        .map(|path| format!("{}:{}", path.line, path.resolved.join("::")))
        .collect()
}

#[test]
fn paths_are_read_from_grouped_uses_code_and_inline_modules_only() {
    let text = r#"//! `crate::doc::Comment` is no edge.
use crate::{a::x, b::{y, z as w}};
pub use crate::c::{self};
/* crate::block::Comment */
fn f() -> u32 { let s = "crate::string::Literal"; let c = '{'; crate::d::call(s, c) }
mod tests {
    use super::*;
    use super::super::e::Thing;
}
pub(crate) fn g() {}
"#;
    assert_eq!(
        written("m/n.rs", text),
        [
            "2:a::x",
            "2:b::y",
            "2:b::z",
            "3:c",
            "5:d::call",
            "7:m::n",
            "8:m::e::Thing"
        ]
    );
}

#[test]
fn a_later_or_same_tier_import_is_reported_with_file_line_and_rule() {
    let files = planted(&[
        ("lib.rs", "pub mod a;\npub mod b;\npub mod c;\n"),
        ("a.rs", "use crate::b::X;\n"),
        ("b.rs", "fn f() {\n    crate::c::g();\n}\n"),
        ("c.rs", ""),
    ]);
    let outcome = check_layers(&files, &tiers(&["lib", "a c", "b"]), &[]);
    assert_eq!(
        outcome.problems,
        [
            "src/a.rs:1: `crate::b::X`: a (tier 2) imports b (tier 3): a module imports only modules of earlier tiers"
        ]
    );
    let same_tier = check_layers(&files, &tiers(&["lib", "a b c"]), &[]);
    assert!(same_tier.problems[0].ends_with("modules of one tier do not import each other"));
    let allowed = [Exception {
        key: "a -> b".to_string(),
        list: "test".to_string(),
    }];
    let outcome = check_layers(&files, &tiers(&["lib", "a c", "b"]), &allowed);
    assert!(outcome.problems.is_empty());
    assert!(outcome.used.contains("a -> b"));
}

#[test]
fn a_module_missing_from_the_layers_is_reported() {
    let files = planted(&[("lib.rs", ""), ("a.rs", ""), ("b/mod.rs", "")]);
    let outcome = check_layers(&files, &tiers(&["lib", "a", "gone"]), &[]);
    assert_eq!(
        outcome.problems,
        [
            "module `b` is missing from ARCHITECTURE.md's Layers block",
            "the Layers block names `gone`, which is not a module under src/",
        ]
    );
}

#[test]
fn an_import_cycle_between_files_is_reported_with_its_edges() {
    let files = planted(&[
        ("s/mod.rs", "pub mod one;\npub mod two;\n"),
        ("s/one.rs", "use super::two::B;\n"),
        ("s/two.rs", "\nuse crate::s::one::A;\n"),
        ("s/three.rs", "use super::one::A;\n"),
    ]);
    let outcome = check_file_cycles(&files, &[]);
    assert_eq!(
        outcome.problems,
        [
            "an import cycle between s/one.rs, s/two.rs; its edges: src/s/one.rs:1: `super::two::B`; src/s/two.rs:2: `crate::s::one::A`"
        ]
    );
}

#[test]
fn a_long_function_is_reported_unless_listed() {
    let body = "    let x = 1;\n".repeat(FUNCTION_LINES_MAX - 1);
    let text = format!(
        "trait T {{ fn declared(&self); }}\nfn long() {{\n{body}}}\nfn short(a: [u8; 2]) {{}}\n"
    );
    let files = planted(&[("x/y.rs", &text)]);
    let outcome = check_function_lengths(&files, &[]);
    assert_eq!(
        outcome.problems,
        ["src/x/y.rs:2: fn `long` is 101 lines (at most 100)"]
    );
    let allowed = [Exception {
        key: "x/y.rs::long".to_string(),
        list: "test".to_string(),
    }];
    assert!(check_function_lengths(&files, &allowed).problems.is_empty());
}

#[test]
fn an_unnamed_file_and_a_named_file_that_does_not_exist_are_reported() {
    let files: BTreeSet<String> = ["lib.rs", "log/mod.rs", "log/broker.rs", "log/group.rs"]
        .into_iter()
        .map(str::to_string)
        .collect();
    let architecture =
        "# A\n`src/lib.rs` and `tests/tidy.rs`.\n### `src/log/`\n`broker.rs` and `gone.rs`.\n";
    let exists = |path: &str| ["tests", "tests/tidy.rs", "src/lib.rs"].contains(&path);
    let outcome = check_named(&files, architecture, &[], &exists);
    assert_eq!(
        outcome.problems,
        [
            "ARCHITECTURE.md:4: `gone.rs` is not a file below src/ or a directory this section's heading names",
            "src/log/group.rs is not named in ARCHITECTURE.md",
        ]
    );
}

#[test]
fn exceptions_need_a_reason_and_a_known_form() {
    let architecture = "## Layers\n### Exceptions\n#### Lasting\n- `a -> b` — why\n- `x.rs::f`\n- `what` — because\n## Next\n- `c -> d` — not an exception: another section\n";
    let (exceptions, problems) = parse_exceptions(architecture);
    let keys: Vec<&str> = exceptions.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["a -> b", "x.rs::f", "what"]);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].contains("`x.rs::f` gives no reason"));
    assert!(problems[1].contains("`what` is not an edge"));
}

#[test]
fn an_entropy_source_deep_in_the_graph_is_reported_unless_its_path_is_allowed() {
    let tree = "0eventlab v0.1.0 (/x)\n1boon v0.6.1\n2ahash v0.8.15\n3getrandom v0.4.3\n1rand_core v0.10.1\n1other v1.0.0\n2rand v0.9.0\n";
    let allowed = [Exception {
        key: "boon -> ahash -> getrandom".to_string(),
        list: "Lasting".to_string(),
    }];
    let outcome = check_dependency_graph(tree, &allowed);
    assert_eq!(
        outcome.problems,
        [
            "the build links `rand`, an entropy source, through other -> rand: depend on rand_core and rand_chacha only"
        ]
    );
    assert!(outcome.used.contains("boon -> ahash -> getrandom"));
    assert_eq!(check_dependency_graph(tree, &[]).problems.len(), 2);
}
