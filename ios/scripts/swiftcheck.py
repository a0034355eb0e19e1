"""Static checks of the iOS Swift code where no Swift toolchain exists (scripts/check-swift.sh).

1. Syntax: every .swift file under ios/ and the generated bindings parse with tree-sitter-swift
   without an error node; the first error of each file is printed as file:line:col.
2. API drift: every use the ios/ code makes of the core's generated Swift API (FieldworkApp
   methods and their argument labels, record fields, enum and ApiError cases, record and error
   initializers, the foreign-trait protocols SecretStore/LogSink/JobsObserver it implements,
   the module's free functions) exists in the bindings generated from the current Rust code.

The drift check is a small type resolver, not a compiler. It learns the core's types from the
generated file, the shell's own types (stored and computed properties, functions, their
declared types) from ios/, and follows names through declarations, parameters, `let x = ...`,
`if/guard let`, `for ... in`, `as`/`as?`, `try`/`await`, optional chaining, closures over typed
sequences and key paths. It reports a use only when it resolved the receiver to a core type,
so code it cannot type is left alone (never a false alarm) and counted per category; a run that
sees none of a category fails, so a grammar change cannot make the check silently blind.
`--self-test` renames real call sites in memory and checks that each is reported.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import tree_sitter as ts
import tree_sitter_swift as tss

PARSER = ts.Parser(ts.Language(tss.language()))

# The Swift module of the generated bindings (the target name in ios/Package.swift): the core's
# free functions are called through it, e.g. FieldworkBindings.setLogSink(sink:level:).
BINDINGS_MODULE = "FieldworkBindings"
GENERATED_FILE = "FieldworkFFI.swift"
# Folders under ios/ that are not the project's code (build output, the generated copy).
SKIP_DIRS = {".build", ".swiftpm", "DerivedData", "build", "FieldworkBindings"}

# Valid Swift that tree-sitter-swift 0.7.4 cannot parse, rewritten to equivalent valid Swift of
# the same line count before parsing (uniffi's generated code has both):
GRAMMAR_WORKAROUNDS = [
    # an `#if` block holding only an attribute of the declaration after it
    ("attribute-only #if block",
     re.compile(r"^[ \t]*#if [^\n]*\n[ \t]*@[A-Za-z_]+(?:\([^()\n]*\))?[ \t]*\n[ \t]*#endif[ \t]*$", re.M),
     lambda m: "\n" * m.group(0).count("\n")),
    # a closure whose body is the empty tuple `()`
    ("closure returning ()", re.compile(r"\{ \(\) \}"), lambda m: "{ _ = 0 }"),
]

# Members every value has (Equatable, Hashable, Error, CustomStringConvertible...).
UNIVERSAL_MEMBERS = {
    "self", "hashValue", "hash", "description", "debugDescription", "localizedDescription",
    "errorDescription", "failureReason", "recoverySuggestion", "helpAnchor", "Type",
}
# Sequence methods whose closure gets the element; key paths to them are element members.
ELEMENT_CLOSURES = {
    "map", "compactMap", "flatMap", "filter", "forEach", "first", "last", "contains",
    "allSatisfy", "sorted", "min", "max", "firstIndex", "lastIndex", "partition", "drop",
    "prefix", "removeAll", "sum",
}
# SwiftUI views built from a collection: the trailing closure gets the element.
VIEW_SEQUENCES = {"ForEach", "List"}
# Functions returning their argument unwrapped.
PASSTHROUGH = {"XCTUnwrap"}
SAME_SEQUENCE = {"filter", "sorted", "reversed", "shuffled", "prefix", "suffix", "dropFirst", "dropLast"}
CATEGORIES = ["method", "field", "case", "init", "conformance", "function"]
# Categories the shell always uses: seeing none means the checker went blind.
REQUIRED_CATEGORIES = ["method", "field", "case", "conformance"]


# ---------------------------------------------------------------------------------------------
# Parsing


@dataclass
class Source:
    path: str
    text: str
    tree: object = None
    rewrites: int = 0


def parse(path: str, text: str) -> Source:
    rewritten, count = text, 0
    for _, pattern, repl in GRAMMAR_WORKAROUNDS:
        rewritten, n = pattern.subn(repl, rewritten)
        count += n
    return Source(path, text, PARSER.parse(rewritten.encode()), count)


def first_error(node):
    if node.is_error or node.is_missing:
        return node
    for child in node.children:
        if child.has_error or child.is_missing:
            found = first_error(child)
            if found is not None:
                return found
    return None


def syntax_error(src: Source) -> str | None:
    if not src.tree.root_node.has_error:
        return None
    node = first_error(src.tree.root_node)
    row, col = node.start_point.row, node.start_point.column
    line = src.text.split("\n")[row] if row < len(src.text.split("\n")) else ""
    what = f"missing {node.type!r}" if node.is_missing else "syntax error"
    return f"{src.path}:{row + 1}:{col + 1}: {what}: {line.strip()[:100]}"


def text(node) -> str:
    return node.text.decode()


def named(node, field_name=None):
    if field_name is None:
        return [c for c in node.children if c.is_named]
    return [c for i, c in enumerate(node.children) if node.field_name_for_child(i) == field_name]


def with_fields(node):
    return [(node.field_name_for_child(i), c) for i, c in enumerate(node.children)]


def ident(name: str) -> str:
    return name.strip("`")


TYPE_NODES = {"user_type", "optional_type", "array_type", "dictionary_type", "function_type",
              "tuple_type", "opaque_type", "existential_type", "metatype", "type_modifiers"}


def type_string(node) -> str:
    return re.sub(r"\s+", "", text(node)).replace("Swift.", "")


# ---------------------------------------------------------------------------------------------
# Types


def strip_optional(t: str | None) -> str | None:
    while t and t[-1] in "?!":
        t = t[:-1]
    if t and t.startswith("Optional<") and t.endswith(">"):
        t = t[len("Optional<"):-1]
    return t


def element_of(t: str | None) -> str | None:
    t = strip_optional(t)
    if not t:
        return None
    if t.startswith("[") and t.endswith("]") and ":" not in t:
        return t[1:-1]
    m = re.fullmatch(r"(?:AsyncStream|AsyncThrowingStream|Set|Array|ArraySlice)<([^,<>]+)(?:,[^<>]+)?>", t)
    return m.group(1) if m else None


@dataclass
class Member:
    kind: str  # func, var, case, init
    name: str
    labels: list = field(default_factory=list)   # external labels, "_" when unlabeled
    defaults: list = field(default_factory=list)  # whether each parameter has a default
    param_types: list = field(default_factory=list)
    type: str | None = None  # var type, func return type, the enum for a case
    static: bool = False

    def signature(self) -> str:
        if self.kind in ("var",):
            return self.name
        if self.kind == "case" and not self.labels:
            return self.name
        return f"{self.name}({''.join(lab + ':' for lab in self.labels)})"


@dataclass
class TypeInfo:
    name: str
    kind: str  # class, struct, enum, protocol, extension, actor
    members: dict = field(default_factory=dict)  # name -> [Member]
    inherits: list = field(default_factory=list)

    def add(self, m: Member):
        self.members.setdefault(m.name, []).append(m)


def declaration_kind(node) -> str:
    if node.type == "protocol_declaration":
        return "protocol"
    for c in node.children:
        if not c.is_named and c.type in ("class", "struct", "enum", "extension", "actor"):
            return c.type
    return "class"


def modifiers_text(node) -> str:
    return " ".join(text(c) for c in node.children if c.type == "modifiers")


def parameters(decl):
    """Labels, defaults, types and internal names of a function or init declaration."""
    labels, defaults, types, names = [], [], [], []
    for fname, c in with_fields(decl):
        if c.type == "parameter":
            ids = [n for n in named(c, "name") if n.type == "simple_identifier"]
            tys = [n for n in named(c, "name") if n.type in TYPE_NODES]
            ext = named(c, "external_name")
            internal = ident(text(ids[0])) if ids else "_"
            labels.append(ident(text(ext[0])) if ext else internal)
            names.append(internal)
            types.append(type_string(tys[0]) if tys else None)
            defaults.append(False)
        elif fname == "default_value" and defaults:
            defaults[-1] = True
    return labels, defaults, types, names


def return_type(decl) -> str | None:
    seen_arrow = False
    for c in decl.children:
        if not c.is_named and c.type == "->":
            seen_arrow = True
        elif seen_arrow and c.type in TYPE_NODES:
            return type_string(c)
    return None


def default_values(decl):
    """(parameter type, default value node) of a declaration's parameters."""
    out, last_type = [], None
    for fname, c in with_fields(decl):
        if c.type == "parameter":
            tys = [n for n in named(c, "name") if n.type in TYPE_NODES]
            last_type = type_string(tys[0]) if tys else None
        elif fname == "default_value":
            out.append((last_type, c))
    return out


def collect_types(src: Source, public_only: bool) -> tuple[dict, dict]:
    """Type declarations (nested ones under both names) and top-level functions of a file."""
    types: dict[str, TypeInfo] = {}
    functions: dict[str, list] = {}

    def visible(node) -> bool:
        return not public_only or re.search(r"\b(public|open)\b", modifiers_text(node)) is not None

    def visit_type(node, prefix: str):
        kind = declaration_kind(node)
        name_node = node.child_by_field_name("name")
        if name_node is None:
            return
        name = type_string(name_node)
        if kind != "extension" and not visible(node):
            return
        full = f"{prefix}.{name}" if prefix else name
        inherits = [type_string(n) for c in named(node) if c.type == "inheritance_specifier"
                    for n in named(c, "inherits_from")]
        info = TypeInfo(full, kind, inherits=inherits)
        body = node.child_by_field_name("body")
        for member in named(body) if body is not None else []:
            in_protocol = kind == "protocol"
            if member.type in ("class_declaration", "protocol_declaration"):
                visit_type(member, full)
                continue
            if not in_protocol and member.type != "enum_entry" and kind != "extension" and not visible(member):
                continue
            static = bool(re.search(r"\b(static|class)\b", modifiers_text(member)))
            if member.type in ("function_declaration", "protocol_function_declaration"):
                labels, defaults, ptypes, _ = parameters(member)
                fname = ident(text(member.child_by_field_name("name")))
                info.add(Member("func", fname, labels, defaults, ptypes, return_type(member), static))
            elif member.type == "init_declaration":
                labels, defaults, ptypes, _ = parameters(member)
                info.add(Member("init", "init", labels, defaults, ptypes, full))
            elif member.type in ("property_declaration", "protocol_property_declaration"):
                annotation = next((c for c in named(member) if c.type == "type_annotation"), None)
                vtype = None
                if annotation is not None:
                    tnodes = [n for n in named(annotation) if n.type in TYPE_NODES]
                    vtype = type_string(tnodes[0]) if tnodes else None
                for pat in named(member, "name"):
                    for b in named(pat, "bound_identifier"):
                        info.add(Member("var", ident(text(b)), type=vtype, static=static))
            elif member.type == "enum_entry":
                entries = named(member, "name")
                contents = named(member, "data_contents")
                for i, e in enumerate(entries):
                    labels, ptypes = [], []
                    if contents and i == len(entries) - 1:
                        for c in named(contents[0]):
                            if c.type == "simple_identifier":
                                labels.append(ident(text(c)))
                            elif c.type in TYPE_NODES:
                                ptypes.append(type_string(c))
                                if len(labels) < len(ptypes):
                                    labels.append("_")
                    info.add(Member("case", ident(text(e)), labels, [False] * len(labels), ptypes, full, True))
            elif member.type == "typealias_declaration":
                pass
        if full in types and kind == "extension":
            for ms in info.members.values():
                for m in ms:
                    types[full].add(m)
            types[full].inherits += inherits
        else:
            key = full if kind != "extension" else f"{full}+ext{id(node)}"
            types[key] = info
            if prefix and name not in types:
                types.setdefault(name, info)

    for node in named(src.tree.root_node):
        if node.type in ("class_declaration", "protocol_declaration"):
            visit_type(node, "")
        elif node.type == "function_declaration" and visible(node):
            labels, defaults, ptypes, _ = parameters(node)
            fname = ident(text(node.child_by_field_name("name")))
            functions.setdefault(fname, []).append(
                Member("func", fname, labels, defaults, ptypes, return_type(node)))
    return types, functions


@dataclass
class Api:
    """The core's Swift API, from the generated bindings."""
    types: dict
    functions: dict

    @staticmethod
    def from_bindings(src: Source) -> "Api":
        types, functions = collect_types(src, public_only=True)
        # The API is the public top-level types; not uniffi's plumbing (FfiConverter*, the
        # NoHandle markers, extensions of Foundation and C types).
        types = {n: t for n, t in types.items()
                 if not n.startswith(("FfiConverter", "Uniffi", "uniffi"))
                 and "+ext" not in n and "." not in n and n != "NoHandle"}
        functions = {n: f for n, f in functions.items() if not n.startswith(("FfiConverter", "uniffi"))}
        # FieldworkApp's methods are declared on FieldworkAppProtocol too; keep the union.
        for name, info in list(types.items()):
            for parent in info.inherits:
                if parent in types and types[parent].kind == "protocol" and parent != name:
                    for ms in types[parent].members.values():
                        for m in ms:
                            if m.name not in info.members:
                                info.add(m)
        return Api(types, functions)

    def protocols(self) -> dict:
        return {n: t for n, t in self.types.items() if t.kind == "protocol"}


# ---------------------------------------------------------------------------------------------
# The shell's own declarations


@dataclass
class Shell:
    """Types declared in ios/ (properties and functions with declared types), and the members
    ios/ adds to the core's types in extensions."""
    types: dict = field(default_factory=dict)        # name -> TypeInfo (merged)
    extensions: dict = field(default_factory=dict)   # core type name -> TypeInfo of additions

    def add_file(self, src: Source, api: Api):
        types, functions = collect_types(src, public_only=False)
        for key, info in types.items():
            name = info.name
            target = self.extensions if name in api.types else self.types
            merged = target.setdefault(name, TypeInfo(name, info.kind if info.kind != "extension" else "class"))
            if info.kind != "extension":
                merged.kind = info.kind
            merged.inherits += info.inherits
            for ms in info.members.values():
                for m in ms:
                    merged.add(m)
        for fname, ms in functions.items():
            self.types.setdefault("<global>", TypeInfo("<global>", "global"))
            for m in ms:
                self.types["<global>"].add(m)


# ---------------------------------------------------------------------------------------------
# The drift check


@dataclass
class Finding:
    path: str
    line: int
    message: str

    def __str__(self):
        return f"{self.path}:{self.line}: {self.message}"


class Checker:
    def __init__(self, api: Api, shell: Shell):
        self.api = api
        self.shell = shell
        self.findings: list[Finding] = []
        self.counts = {c: 0 for c in CATEGORIES}
        self.used: set[str] = set()
        self.checked: list[str] = []
        self.seen_closures: set[int] = set()
        self.pending_conformances: list = []
        self.declared_funcs: dict = {}
        self.path = ""

    # -- reporting

    def ok(self, category: str, what: str, node=None):
        self.counts[category] += 1
        self.used.add(what)
        line = node.start_point.row + 1 if node is not None else 0
        self.checked.append(f"{self.path}:{line}: {category} {what}")

    def missing(self, node, message: str):
        finding = Finding(self.path, node.start_point.row + 1, message)
        if finding not in self.findings:
            self.findings.append(finding)

    def suggest(self, name: str, candidates) -> str:
        by_lower = {c.lower(): c for c in candidates}
        close = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=0.6)
        return f" (did you mean {by_lower[close[0]]}?)" if close else ""

    # -- what a type name means

    def core(self, t: str | None) -> TypeInfo | None:
        t = strip_optional(t)
        return self.api.types.get(t) if t else None

    def shell_type(self, t: str | None) -> TypeInfo | None:
        t = strip_optional(t)
        return self.shell.types.get(t) if t else None

    def core_members(self, tname: str, name: str) -> list:
        found = list(self.api.types[tname].members.get(name, []))
        ext = self.shell.extensions.get(tname)
        if ext:
            found += ext.members.get(name, [])
        return found

    def is_core_enum(self, t: str | None) -> str | None:
        info = self.core(t)
        return info.name if info and info.kind == "enum" else None

    # -- entry

    def check_file(self, src: Source):
        self.path = src.path
        root = src.tree.root_node
        self.check_conformances(root)
        self.walk(root, Scope(None, {}, None, None))

    # -- protocol conformance

    def check_conformances(self, root):
        declared: dict[str, list] = {}
        conforms: list = []

        def visit(node, prefix):
            for child in named(node):
                if child.type == "class_declaration":
                    name_node = child.child_by_field_name("name")
                    if name_node is None:
                        continue
                    name = type_string(name_node)
                    full = f"{prefix}.{name}" if prefix and declaration_kind(child) != "extension" else name
                    body = child.child_by_field_name("body")
                    funcs = []
                    for m in named(body) if body is not None else []:
                        if m.type == "function_declaration":
                            labels, _, _, _ = parameters(m)
                            funcs.append((ident(text(m.child_by_field_name("name"))), labels))
                    declared.setdefault(full, []).extend(funcs)
                    for spec in (c for c in named(child) if c.type == "inheritance_specifier"):
                        for p in named(spec, "inherits_from"):
                            conforms.append((full, type_string(p), spec))
                    if body is not None:
                        visit(body, full)

        visit(root, "")
        self.declared_funcs = declared
        for tname, proto, node in conforms:
            info = self.api.types.get(proto)
            if info is None or info.kind != "protocol":
                continue
            # Conformances are checked once all files are read (extensions elsewhere count).
            self.pending_conformances.append((self.path, node, tname, proto))

    def finish_conformances(self, all_declared: dict):
        for path, node, tname, proto in self.pending_conformances:
            have = all_declared.get(tname, [])
            for reqs in self.api.types[proto].members.values():
                for req in reqs:
                    if req.kind != "func":
                        continue
                    if (req.name, req.labels) in have:
                        self.path = path
                        self.ok("conformance", f"{tname}: {proto}.{req.signature()}", node)
                    else:
                        self.findings.append(Finding(
                            path, node.start_point.row + 1,
                            f"{tname} conforms to {proto} but has no {req.signature()}"
                            + self.suggest(req.name, [n for n, _ in have])))

    # -- walking with scopes

    def walk(self, node, scope: "Scope"):
        t = node.type
        if t == "class_declaration":
            name_node = node.child_by_field_name("name")
            name = type_string(name_node) if name_node is not None else None
            body = node.child_by_field_name("body")
            if body is not None:
                self.walk(body, Scope(scope, {}, name, None))
            return
        if t in ("function_declaration", "init_declaration"):
            self.function(node, scope)
            return
        if t == "property_declaration":
            self.property(node, scope)
            return
        if t == "for_statement":
            self.for_statement(node, scope)
            return
        if t in ("if_statement", "guard_statement"):
            self.conditional(node, scope)
            return
        if t == "switch_statement":
            self.switch(node, scope)
        if t == "catch_block":
            self.catch_block(node, scope)
            return
        if t == "lambda_literal":
            self.closure(node, scope, None)
            return
        if t == "call_expression":
            self.call(node, scope)
        if t == "navigation_expression":
            self.navigation(node, scope)
        if t == "equality_expression":
            self.equality(node, scope)
        if t == "control_transfer_statement":
            self.returned(node, scope)
        if t == "assignment":
            self.assignment(node, scope)
        for child in named(node):
            self.walk(child, scope)

    def function(self, node, scope):
        labels, _, ptypes, names = parameters(node)
        inner = Scope(scope, dict(zip(names, ptypes)), scope.self_type,
                      return_type(node) if node.type == "function_declaration" else None)
        for ptype, value in default_values(node):
            self.expect(value, ptype, inner)
        for fname, child in with_fields(node):
            if fname == "body" or child.type == "function_body":
                self.walk(child, inner)
            elif fname == "default_value":
                self.walk(child, inner)

    def property(self, node, scope):
        annotation = next((c for c in named(node) if c.type == "type_annotation"), None)
        declared = None
        if annotation is not None:
            tnodes = [n for n in named(annotation) if n.type in TYPE_NODES]
            declared = type_string(tnodes[0]) if tnodes else None
        value = next((c for f, c in with_fields(node) if f == "value"), None)
        computed = next((c for f, c in with_fields(node) if f == "computed_value"), None)
        vtype = declared or (self.infer(value, scope) if value is not None else None)
        for pat in named(node, "name"):
            for b in named(pat, "bound_identifier"):
                scope.names[ident(text(b))] = vtype
        if value is not None:
            if declared:
                self.expect(value, declared, scope)
            self.walk(value, scope)
        if computed is not None:
            self.walk(computed, Scope(scope, {}, scope.self_type, declared))
        for child in named(node):
            if child is not value and child is not computed and child.type not in ("pattern", "type_annotation"):
                self.walk(child, scope)

    def for_statement(self, node, scope):
        collection = node.child_by_field_name("collection")
        ctype = self.infer(collection, scope) if collection is not None else None
        elem = element_of(ctype)
        if collection is not None and collection.type == "array_literal":
            self.array_literal_cases(collection, scope)
        inner = Scope(scope, {}, scope.self_type, scope.returns)
        for item in named(node, "item"):
            for b in named(item, "bound_identifier"):
                inner.names[ident(text(b))] = elem
        for child in named(node):
            self.walk(child, inner)

    def conditional(self, node, scope):
        # `if let x = e, let y, case ...`: flat children; a bound_identifier takes the next
        # condition's value (or its own name's type for `if let y`).
        target = scope if node.type == "guard_statement" else Scope(scope, {}, scope.self_type, scope.returns)
        pending = None
        for fname, child in with_fields(node):
            if not child.is_named:
                continue
            if fname == "bound_identifier":
                if pending:
                    target.names[pending] = strip_optional(scope.lookup(pending, self))
                pending = ident(text(child))
            elif fname == "condition" and child.type != "value_binding_pattern":
                if pending:
                    target.names[pending] = strip_optional(self.infer(child, target))
                    pending = None
                self.walk(child, target)
            elif child.is_named and fname != "condition":
                if pending:
                    target.names[pending] = strip_optional(scope.lookup(pending, self))
                    pending = None
                self.walk(child, target)
        if pending:
            target.names[pending] = strip_optional(scope.lookup(pending, self))

    def switch(self, node, scope):
        subject = node.child_by_field_name("expr")
        enum = self.is_core_enum(self.infer(subject, scope)) if subject is not None else None
        if not enum:
            return
        for entry in (c for c in named(node) if c.type == "switch_entry"):
            for sp in (c for c in named(entry) if c.type == "switch_pattern"):
                for pat in (c for c in named(sp) if c.type == "pattern"):
                    # `.case`, `.case(let a, _)`, `let .case(a, b)`
                    if re.match(r"(?:(?:let|var)\s+)?\.", text(pat)):
                        ids = [c for c in named(pat) if c.type == "simple_identifier"]
                        if ids:
                            self.case(ids[0], enum, ident(text(ids[0])))
                            self.case_arity(pat, ids[0], enum, ident(text(ids[0])))

    def case_arity(self, pat, name_node, enum: str, name: str):
        """A pattern binds each associated value of its case (`.InvalidInput(let detail)` on a
        case that also carries `reason` binds a tuple, not the detail)."""
        if not any(not c.is_named and c.type == "(" for c in pat.children):
            return
        ms = [m for m in self.core_members(enum, name) if m.kind == "case"]
        if not ms:
            return
        bound = len([c for c in named(pat) if c.type == "pattern"])
        expected = len(ms[0].labels)
        if bound != expected:
            self.missing(name_node, f"{enum}.{name}: the pattern binds {bound} associated value(s), "
                                    f"the generated bindings have {expected} ({ms[0].signature()})")

    def catch_block(self, node, scope):
        inner = Scope(scope, {"error": "Error"}, scope.self_type, scope.returns)
        err = node.child_by_field_name("error")
        if err is not None:
            kids = named(err)
            types_ = [c for c in kids if c.type == "user_type"]
            ids = [c for c in kids if c.type == "simple_identifier"]
            if types_ and ids and self.core(type_string(types_[0])):
                self.case(ids[0], type_string(types_[0]), ident(text(ids[0])))
            for p in (c for c in kids if c.type == "pattern"):
                for b in named(p, "bound_identifier"):
                    inner.names[ident(text(b))] = type_string(types_[0]) if types_ and not ids else None
        for child in named(node):
            if child is not err:
                self.walk(child, inner)

    def closure(self, node, scope, param_types):
        # Each closure is walked once: by the call that knows its parameters' types, if any.
        if node.id in self.seen_closures:
            return
        self.seen_closures.add(node.id)
        inner = Scope(scope, {}, scope.self_type, None)
        ftype = node.child_by_field_name("type")
        params = []
        if ftype is not None:
            for ps in (c for c in named(ftype) if c.type == "lambda_function_type_parameters"):
                for p in (c for c in named(ps) if c.type == "lambda_parameter"):
                    ids = [c for c in named(p, "name") if c.type == "simple_identifier"]
                    tys = [c for c in named(p, "name") if c.type in TYPE_NODES]
                    params.append((ident(text(ids[0])) if ids else "_", type_string(tys[0]) if tys else None))
        for i, (pname, ptype) in enumerate(params):
            inner.names[pname] = ptype or (param_types[i] if param_types and i < len(param_types) else None)
        if param_types:
            for i, ptype in enumerate(param_types):
                inner.names[f"${i}"] = ptype
        for child in named(node):
            if child is not ftype:
                self.walk(child, inner)

    # -- expressions

    def infer(self, node, scope) -> str | None:
        if node is None:
            return None
        t = node.type
        if t == "simple_identifier":
            name = ident(text(node))
            found = scope.lookup(name, self)
            if found is not None:
                return found
            if name in self.api.types or name in self.shell.types:
                return f"Type:{name}"
            return None
        if t == "self_expression":
            return scope.enclosing_type()
        if t in ("try_expression", "await_expression"):
            return self.infer(node.child_by_field_name("expr"), scope)
        if t == "postfix_expression":
            return strip_optional(self.infer(node.child_by_field_name("target"), scope))
        if t == "as_expression":
            tn = [c for c in named(node, "name") if c.type in TYPE_NODES]
            return type_string(tn[0]) if tn else None
        if t == "tuple_expression" and len(named(node)) == 1:
            return self.infer(named(node)[0], scope)
        if t == "ternary_expression":
            return self.infer(node.child_by_field_name("if_true"), scope)
        if t == "navigation_expression":
            return self.member_type(node, scope)
        if t == "call_expression":
            return self.call_type(node, scope)
        if t == "line_string_literal":
            return "String"
        return None

    def member_type(self, node, scope) -> str | None:
        suffix = node.child_by_field_name("suffix")
        target = node.child_by_field_name("target")
        if suffix is None or target is None or target.type == "key_path_expression":
            return None
        name_nodes = named(suffix, "suffix")
        if not name_nodes or name_nodes[0].type != "simple_identifier":
            return None
        name = ident(text(name_nodes[0]))
        owner = self.infer(target, scope)
        return self.type_of_member(owner, name)

    def type_of_member(self, owner: str | None, name: str) -> str | None:
        if owner is None:
            return None
        if owner.startswith("Type:"):
            tname = owner[5:]
            if tname in self.api.types:
                ms = self.core_members(tname, name)
                if ms:
                    return tname if ms[0].kind == "case" else ms[0].type
                return None
            info = self.shell.types.get(tname)
            ms = info.members.get(name, []) if info else []
            if ms:
                return ms[0].type
            nested = f"{tname}.{name}"
            return f"Type:{nested}" if nested in self.shell.types else None
        base = strip_optional(owner)
        if base in self.api.types:
            ms = self.core_members(base, name)
            return ms[0].type if ms and ms[0].kind == "var" else None
        info = self.shell.types.get(base)
        if info:
            ms = info.members.get(name, [])
            if ms and ms[0].kind == "var":
                return ms[0].type
            return None
        elem = element_of(base)
        if elem and name in ("first", "last", "randomElement"):
            return elem + "?"
        return None

    def call_type(self, node, scope) -> str | None:
        callee = named(node)[0] if named(node) else None
        if callee is None:
            return None
        if callee.type == "simple_identifier":
            name = ident(text(callee))
            if name in self.api.types or name in self.shell.types:
                return name
            if name in PASSTHROUGH:
                first = self.first_argument(node)
                return strip_optional(self.infer(first, scope)) if first is not None else None
            g = self.shell.types.get("<global>")
            if g and name in g.members and g.members[name][0].kind == "func":
                return g.members[name][0].type
            if name in self.api.functions:
                return self.api.functions[name][0].type
            return None
        if callee.type == "navigation_expression":
            target = callee.child_by_field_name("target")
            suffix = callee.child_by_field_name("suffix")
            names = named(suffix, "suffix") if suffix is not None else []
            if target is None or not names:
                return None
            name = ident(text(names[0]))
            owner = self.infer(target, scope)
            if owner is None:
                return None
            if owner == f"Type:{BINDINGS_MODULE}" or (target.type == "simple_identifier" and text(target) == BINDINGS_MODULE):
                fs = self.api.functions.get(name)
                return fs[0].type if fs else None
            tname = owner[5:] if owner.startswith("Type:") else strip_optional(owner)
            if tname in self.api.types:
                ms = self.core_members(tname, name)
                if ms:
                    return tname if ms[0].kind == "case" else ms[0].type
                return None
            info = self.shell.types.get(tname)
            if info and name in info.members:
                return info.members[name][0].type
            if owner.startswith("Type:") and f"{tname}.{name}" in self.shell.types:
                return f"{tname}.{name}"
            if name in SAME_SEQUENCE and element_of(owner):
                return owner
            return None
        return None

    # -- checks

    def navigation(self, node, scope):
        target = node.child_by_field_name("target")
        suffix = node.child_by_field_name("suffix")
        if target is None or suffix is None:
            return
        names = named(suffix, "suffix")
        if not names or names[0].type != "simple_identifier":
            return
        name = ident(text(names[0]))
        if target.type == "key_path_expression":
            return  # checked against the sequence's element by `call`
        if target.type == "simple_identifier" and text(target) == BINDINGS_MODULE:
            if name not in self.api.functions and name not in self.api.types:
                self.missing(names[0], f"{BINDINGS_MODULE}.{name} is not in the generated bindings"
                             + self.suggest(name, list(self.api.functions) + list(self.api.types)))
            return
        owner = self.infer(target, scope)
        if owner is None:
            return
        tname = owner[5:] if owner.startswith("Type:") else strip_optional(owner)
        if tname not in self.api.types:
            return
        self.member(names[0], tname, name, static=owner.startswith("Type:"))

    def member(self, node, tname: str, name: str, static: bool):
        if name in UNIVERSAL_MEMBERS:
            return
        info = self.api.types[tname]
        if name not in info.members and name in self.shell.extensions.get(tname, TypeInfo("", "")).members:
            return  # declared by the shell's own extension of the core type
        ms = self.core_members(tname, name)
        if ms:
            m = ms[0]
            category = {"func": "method", "var": "field", "case": "case", "init": "init"}[m.kind]
            if tname == "ApiError" or info.kind == "enum":
                category = "case" if m.kind == "case" else category
            self.ok(category, f"{tname}.{name}", node)
            return
        what = {"enum": "case", "struct": "field", "class": "method", "protocol": "requirement"}.get(info.kind, "member")
        candidates = list(info.members) + list(self.shell.extensions.get(tname, TypeInfo("", "")).members)
        self.missing(node, f"{tname}.{name}: no such {what} in the generated bindings" + self.suggest(name, candidates))

    def case(self, node, enum: str, name: str):
        ms = [m for m in self.core_members(enum, name) if m.kind in ("case", "var")]
        if ms:
            self.ok("case", f"{enum}.{name}", node)
        else:
            cases = [n for n, ms_ in self.api.types[enum].members.items() if ms_[0].kind == "case"]
            self.missing(node, f"{enum}.{name}: no such case in the generated bindings" + self.suggest(name, cases))

    def expect(self, value, expected: str | None, scope):
        """Checks implicit members (`.onSite`) in a value whose type is known from context."""
        if value is None or expected is None:
            return
        enum = self.is_core_enum(expected)
        elem_enum = self.is_core_enum(element_of(expected))
        t = value.type
        if t == "prefix_expression" and text(value).startswith(".") and enum:
            target = value.child_by_field_name("target")
            if target is not None and target.type == "simple_identifier":
                self.case(target, enum, ident(text(target)))
        elif t == "call_expression" and named(value) and named(value)[0].type == "prefix_expression" and enum:
            pre = named(value)[0]
            target = pre.child_by_field_name("target")
            if text(pre).startswith(".") and target is not None:
                self.case(target, enum, ident(text(target)))
                self.case_labels(value, target, enum, ident(text(target)))
        elif t == "array_literal" and elem_enum:
            for e in named(value, "element"):
                self.expect(e, elem_enum, scope)
        elif t == "ternary_expression":
            self.expect(value.child_by_field_name("if_true"), expected, scope)
            self.expect(value.child_by_field_name("if_false"), expected, scope)
        elif t in ("try_expression", "await_expression"):
            self.expect(value.child_by_field_name("expr"), expected, scope)

    def case_labels(self, call, name_node, enum: str, name: str):
        """`.InvalidInput(detail: "d")`: an implicit member call names its case's associated
        values (as `ApiError.InvalidInput(...)` is checked by `call`)."""
        ms = [m for m in self.core_members(enum, name) if m.kind in ("case", "func", "init")]
        suffix = next((k for k in named(call) if k.type == "call_suffix"), None)
        if not ms or suffix is None or any(c.type == "lambda_literal" for c in named(suffix)):
            return
        args_node = next((c for c in named(suffix) if c.type == "value_arguments"), None)
        args = [a for a in named(args_node) if a.type == "value_argument"] if args_node is not None else []
        labels = [ident(text(named(a, "name")[0])) if named(a, "name") else "_" for a in args]
        if not any(labels_match(labels, m) for m in ms):
            sigs = " or ".join(m.signature() for m in ms)
            self.missing(name_node, f"{enum}.{name}({''.join(x + ':' for x in labels)}): the generated bindings have {sigs}")

    def array_literal_cases(self, node, scope):
        elements = named(node, "element")
        enum = self.is_core_enum(self.infer(elements[0], scope)) if elements else None
        if enum:
            for e in elements[1:]:
                self.expect(e, enum, scope)

    def equality(self, node, scope):
        lhs, rhs = node.child_by_field_name("lhs"), node.child_by_field_name("rhs")
        if lhs is None or rhs is None:
            return
        self.expect(rhs, self.infer(lhs, scope), scope)
        self.expect(lhs, self.infer(rhs, scope), scope)

    def returned(self, node, scope):
        result = node.child_by_field_name("result")
        if result is not None and scope.returns:
            self.expect(result, scope.returns, scope)

    def assignment(self, node, scope):
        target, result = node.child_by_field_name("target"), node.child_by_field_name("result")
        if target is None or result is None:
            return
        inner = named(target)[0] if named(target) else None
        self.expect(result, self.infer(inner, scope) if inner is not None else None, scope)

    def call(self, node, scope):
        kids = named(node)
        if not kids:
            return
        callee, suffix = kids[0], next((k for k in kids if k.type == "call_suffix"), None)
        if suffix is None:
            return
        args_node = next((c for c in named(suffix) if c.type == "value_arguments"), None)
        args = [a for a in named(args_node) if a.type == "value_argument"] if args_node is not None else []
        closures = [c for c in named(suffix) if c.type == "lambda_literal"]
        labels = []
        for a in args:
            lab = named(a, "name")
            labels.append(ident(text(lab[0])) if lab else "_")
        overloads, where = None, None
        if callee.type == "simple_identifier":
            name = ident(text(callee))
            if name in self.api.types and scope.lookup(name, self) is None:
                overloads = [m for m in self.core_members(name, "init") if m.kind == "init"]
                where, category = f"{name}(", "init"
            elif name in self.api.functions and scope.lookup(name, self) is None:
                overloads, where, category = self.api.functions[name], f"{name}(", "function"
            else:
                shell = self.shell.types.get(name)
                if shell:
                    self.shell_arguments(shell.members.get("init", []), args, labels, scope)
                return self.sequence_closure(callee, None, args, closures, scope)
        elif callee.type == "navigation_expression":
            target = callee.child_by_field_name("target")
            nsuffix = callee.child_by_field_name("suffix")
            names = named(nsuffix, "suffix") if nsuffix is not None else []
            if target is None or not names:
                return
            name = ident(text(names[0]))
            if target.type == "simple_identifier" and text(target) == BINDINGS_MODULE:
                overloads, where, category = self.api.functions.get(name), f"{BINDINGS_MODULE}.{name}(", "function"
            else:
                owner = self.infer(target, scope)
                if owner is not None:
                    tname = owner[5:] if owner.startswith("Type:") else strip_optional(owner)
                    if tname in self.api.types:
                        overloads = [m for m in self.core_members(tname, name) if m.kind in ("func", "case", "init")]
                        where, category = f"{tname}.{name}(", "method"
                    elif tname in self.shell.types:
                        self.shell_arguments(self.shell.types[tname].members.get(name, []), args, labels, scope)
                    elif owner.startswith("Type:") and f"{tname}.{name}" in self.shell.types:
                        self.shell_arguments(self.shell.types[f"{tname}.{name}"].members.get("init", []), args, labels, scope)
                self.sequence_closure(callee, owner, args, closures, scope)
        if not overloads or closures:
            return
        matched = next((m for m in overloads if labels_match(labels, m)), None)
        core_init = matched is not None and matched in self.api.types.get(where[:-1], TypeInfo("", "")).members.get("init", [])
        if matched is not None and (category == "function" or (category == "init" and core_init)):
            self.ok(category, where[:-1], callee)
        if matched is None:
            sigs = " or ".join(f"{m.name if m.kind != 'init' else where[:-1]}({''.join(x + ':' for x in m.labels)})" for m in overloads)
            self.missing(callee, f"{where}{''.join(x + ':' for x in labels)}): the generated bindings have {sigs}")
            return
        for a, lab in zip(args, labels):
            ptype = param_type(matched, lab, labels)
            value = next((c for f, c in with_fields(a) if f == "value"), None)
            self.expect(value, ptype, scope)

    def shell_arguments(self, overloads, args, labels, scope):
        """Implicit members passed to the shell's own functions, by their declared types."""
        for m in overloads:
            if m.kind not in ("func", "init") or not labels_match(labels, m):
                continue
            for a, lab in zip(args, labels):
                value = next((c for f, c in with_fields(a) if f == "value"), None)
                self.expect(value, param_type(m, lab, labels), scope)
            return

    def first_argument(self, call):
        suffix = next((k for k in named(call) if k.type == "call_suffix"), None)
        args = next((c for c in named(suffix) if c.type == "value_arguments"), None) if suffix is not None else None
        first = next((a for a in named(args) if a.type == "value_argument"), None) if args is not None else None
        return next((c for f, c in with_fields(first) if f == "value"), None) if first is not None else None

    def sequence_closure(self, callee, owner, args, closures, scope):
        """`xs.map { $0.field }`, `xs.map(\\.field)`, `ForEach(xs) { x in }`: the closure's
        parameter is the element."""
        if callee.type == "simple_identifier" and text(callee) in VIEW_SEQUENCES and args:
            value = next((c for f, c in with_fields(args[0]) if f == "value"), None)
            elem = element_of(self.infer(value, scope)) if value is not None else None
            for c in closures:
                self.closure(c, scope, [elem] if elem else None)
            return
        if callee.type != "navigation_expression" or owner is None:
            for c in closures:
                self.closure(c, scope, None)
            return
        names = named(callee.child_by_field_name("suffix"), "suffix")
        method = ident(text(names[0])) if names else ""
        elem = element_of(owner) if method in ELEMENT_CLOSURES or method == "reduce" else None
        param_types = ([None, elem] if method == "reduce" else [elem, elem]) if elem else None
        for c in closures:
            self.closure(c, scope, param_types)
        for a in args:
            value = next((c for f, c in with_fields(a) if f == "value"), None)
            if value is None:
                continue
            if value.type == "lambda_literal":
                self.closure(value, scope, param_types)
            elif value.type == "navigation_expression" and elem and self.core(elem):
                target = value.child_by_field_name("target")
                if target is not None and target.type == "key_path_expression":
                    key = named(value.child_by_field_name("suffix"), "suffix")
                    if key:
                        self.member(key[0], strip_optional(elem), ident(text(key[0])), static=False)


def labels_match(labels: list, m: Member) -> bool:
    i = 0
    for plabel, has_default in zip(m.labels, m.defaults or [False] * len(m.labels)):
        if i < len(labels) and labels[i] == plabel:
            i += 1
        elif not has_default:
            return False
    return i == len(labels)


def param_type(m: Member, label: str, labels: list) -> str | None:
    if label != "_" and label in m.labels:
        idx = m.labels.index(label)
        return m.param_types[idx] if idx < len(m.param_types) else None
    return None


class Scope:
    def __init__(self, parent, names, self_type, returns):
        self.parent, self.names, self.self_type, self.returns = parent, names, self_type, returns

    def lookup(self, name: str, checker: Checker):
        s = self
        while s is not None:
            if name in s.names:
                return s.names[name]
            s = s.parent
        # implicit self: a property of the enclosing type
        owner = self.enclosing_type()
        if owner:
            t = checker.type_of_member(owner, name)
            if t is not None:
                return t
        return None

    def enclosing_type(self):
        s = self
        while s is not None:
            if s.self_type:
                return s.self_type
            s = s.parent
        return None


# ---------------------------------------------------------------------------------------------
# Localizable.strings: the same keys in every language, and every key the code names exists.

STRINGS_ENTRY = re.compile(r'^\s*"((?:[^"\\]|\\.)*)"\s*=\s*"((?:[^"\\]|\\.)*)"\s*;\s*$')
KEY_LITERAL = re.compile(r'"([a-z][a-z_]*(?:\.[a-z_]+)+)((?: \\\([^"]*?\))*)"')


def read_strings(path: Path) -> tuple[dict, list]:
    entries, errors = {}, []
    in_comment = False
    for n, line in enumerate(path.read_text().split("\n"), 1):
        stripped = line.strip()
        if in_comment:
            in_comment = "*/" not in stripped
            continue
        if not stripped or stripped.startswith("//"):
            continue
        if stripped.startswith("/*"):
            in_comment = "*/" not in stripped
            continue
        m = STRINGS_ENTRY.match(line)
        if not m:
            errors.append(f"{path}:{n}: not a \"key\" = \"value\"; line")
        elif m.group(1) in entries:
            errors.append(f"{path}:{n}: {m.group(1)} defined twice")
        else:
            entries[m.group(1)] = m.group(2)
    return entries, errors


def check_strings(ios: Path, root: Path, sources: list[Source]) -> list[str]:
    tables = sorted(ios.glob("App/**/*.lproj/Localizable.strings"))
    if not tables:
        return [f"no Localizable.strings under {ios.relative_to(root)}/App"]
    problems, keysets = [], {}
    for t in tables:
        entries, errors = read_strings(t)
        problems += [e.replace(str(root) + "/", "") for e in errors]
        keysets[t.parent.name] = entries
    languages = sorted(keysets)
    reference = keysets[languages[0]]
    for lang in languages[1:]:
        for k in sorted(set(reference) - set(keysets[lang])):
            problems.append(f"{lang}: no translation of {k} ({languages[0]} has it)")
        for k in sorted(set(keysets[lang]) - set(reference)):
            problems.append(f"{languages[0]}: no {k} ({lang} has it)")
    prefixes = {k.split(".")[0] for k in reference}
    for src in sources:
        if "/Tests/" in src.path:
            continue
        for n, line in enumerate(src.text.split("\n"), 1):
            for m in KEY_LITERAL.finditer(line):
                key, interpolations = m.group(1), m.group(2)
                if key.split(".")[0] not in prefixes or key.startswith("app.fieldwork"):
                    continue
                count = interpolations.count("\\(")
                candidates = [key] if not count else [
                    key + "".join(" " + spec for spec in combo)
                    for combo in _specifier_combinations(count)]
                if not any(c in reference for c in candidates):
                    problems.append(f"{src.path}:{n}: no Localizable.strings entry for {candidates[0] if not count else key + ' ' + ' '.join(['%@'] * count)}")
    return problems


def _specifier_combinations(count: int) -> list:
    combos = [[]]
    for _ in range(count):
        combos = [c + [s] for c in combos for s in ("%@", "%lld", "%d", "%f")]
    return combos


# ---------------------------------------------------------------------------------------------
# Running


def ios_sources(ios: Path) -> list[Path]:
    out = []
    for p in sorted(ios.rglob("*.swift")):
        rel = p.relative_to(ios).parts
        if any(part in SKIP_DIRS for part in rel[:-1]) or any(part.endswith(".xcodeproj") for part in rel):
            continue
        out.append(p)
    return out


def analyse(api: Api, sources: list[Source]) -> Checker:
    shell = Shell()
    for src in sources:
        shell.add_file(src, api)
    checker = Checker(api, shell)
    all_declared: dict[str, list] = {}
    for src in sources:
        checker.check_file(src)
        for k, v in checker.declared_funcs.items():
            all_declared.setdefault(k, []).extend(v)
    checker.finish_conformances(all_declared)
    return checker


def run(ios: Path, bindings: Path, root: Path, verbose: bool = False) -> int:
    failures = []
    generated = parse(str(bindings.relative_to(root) if bindings.is_relative_to(root) else bindings), bindings.read_text())
    files = ios_sources(ios)
    sources = [parse(str(p.relative_to(root)), p.read_text()) for p in files]
    # The generated copy in the package (after build-xcframework.sh on a Mac) is parsed too.
    copies = [parse(str(p.relative_to(root)), p.read_text()) for p in sorted((ios / "Sources" / "FieldworkBindings").glob("*.swift"))]
    syntax = [e for e in (syntax_error(s) for s in [generated] + sources + copies) if e]
    rewrites = sum(s.rewrites for s in [generated] + sources + copies)
    print(f"syntax: {len(sources) + len(copies)} files under ios/ and the generated {bindings.name} parsed with "
          f"tree-sitter-swift ({rewrites} grammar workarounds applied)")
    if syntax:
        print(f"syntax: {len(syntax)} file(s) with errors:")
        for e in syntax:
            print(f"  {e}")
        failures.append("syntax")

    api = Api.from_bindings(generated)
    checker = analyse(api, [s for s in sources if not s.tree.root_node.has_error])
    print("drift: checked " + ", ".join(f"{checker.counts[c]} {c}{'s' if checker.counts[c] != 1 else ''}" for c in CATEGORIES)
          + f" against {len(api.types)} types and {len(api.functions)} functions of the bindings")
    blind = [c for c in REQUIRED_CATEGORIES if checker.counts[c] == 0]
    if blind and not syntax:
        print(f"drift: saw no {', '.join(blind)} uses at all: the checker is blind (tree-sitter grammar changed?)")
        failures.append("blind")
    if checker.findings:
        print(f"drift: {len(checker.findings)} use(s) of the core's API that the generated bindings do not have:")
        for f in sorted(checker.findings, key=lambda f: (f.path, f.line)):
            print(f"  {f}")
        failures.append("drift")
    strings = check_strings(ios, root, sources)
    print(f"strings: Localizable.strings in {', '.join(sorted(p.parent.name for p in ios.glob('App/**/*.lproj/Localizable.strings')))}"
          + (" agree with each other and with the keys the code names" if not strings else ""))
    if strings:
        for p in strings:
            print(f"  {p}")
        failures.append("strings")
    if verbose:
        print("drift: every checked use:")
        for line in checker.checked:
            print(f"  {line}")
    if "FieldworkApp" in api.types:
        unused = sorted(f"FieldworkApp.{n}" for n in api.types.get("FieldworkApp", TypeInfo("", "")).members
                        if f"FieldworkApp.{n}" not in checker.used and not n.startswith("uniffi") and n not in ("init",))
        if unused:
            print(f"drift: FieldworkApp methods no Swift code calls (not an error): {', '.join(unused)}")
    return 1 if failures else 0


# ---------------------------------------------------------------------------------------------
# Self-test: real uses, renamed in memory, must each be reported. The uses are taken from what
# the check itself saw in the unchanged code (up to three per category, from different files),
# so the self-test follows the code as it changes.

PER_CATEGORY = 3


def mutate(src_text: str, line: int, category: str, what: str) -> tuple[str, str] | None:
    """Renames the use `what` (Type.member) reported at `line`; returns the new text and the
    text the finding must contain."""
    lines = src_text.split("\n")
    idx = line - 1
    tname, _, member = what.partition(".")
    if category in ("method", "field", "case", "function"):
        pattern = re.compile(r"(?<=\.)" + re.escape(member) + r"(?![\w])")
        m = pattern.search(lines[idx])
        if not m:
            return None
        lines[idx] = lines[idx][:m.start()] + member + "Zz" + lines[idx][m.end():]
        return "\n".join(lines), f"{tname}.{member}Zz"
    if category == "init":
        # Rename the call's first argument label (on this line or the next ones).
        rest = "\n".join(lines[idx:])
        start = rest.find(tname + "(")
        m = re.compile(r"(\w+):").search(rest, start if start >= 0 else 0)
        if not m:
            return None
        rest = rest[:m.start()] + m.group(1) + "Zz:" + rest[m.end():]
        return "\n".join(lines[:idx] + [rest]), f"{tname}("
    return None


def self_test(ios: Path, bindings: Path, root: Path) -> int:
    api = Api.from_bindings(parse("bindings", bindings.read_text()))
    files = {str(p.relative_to(root)): p.read_text() for p in ios_sources(ios)}

    def check(changed: dict) -> Checker:
        return analyse(api, [parse(k, changed.get(k, v)) for k, v in files.items()])

    baseline = check({})
    failed, tried = 0, 0
    if baseline.findings:
        print("self-test: the unchanged code has findings (fix those first)")
        return 1
    picked: dict[str, list] = {}
    for entry in baseline.checked:
        where, _, rest = entry.partition(": ")
        path, _, line = where.rpartition(":")
        category, _, what = rest.partition(" ")
        chosen = picked.setdefault(category, [])
        if len(chosen) < PER_CATEGORY and path not in [c[0] for c in chosen]:
            chosen.append((path, int(line), what))
    for category in CATEGORIES:
        for path, line, what in picked.get(category, []):
            if category == "conformance":
                # `Type: Protocol.requirement(labels:)`: rename the implementing function.
                tname, _, req = what.partition(": ")
                name = req.split(".", 1)[1].split("(", 1)[0]
                target = next((k for k, v in files.items() if re.search(rf"func {re.escape(name)}\(", v)
                               and re.search(rf"\b{re.escape(tname)}\b", v)), None)
                if target is None:
                    continue
                changed = {target: re.sub(rf"func {re.escape(name)}\(", f"func {name}Zz(", files[target], count=1)}
                expect = f"has no {name}("
            else:
                mutated = mutate(files[path], line, category, what)
                if mutated is None:
                    continue
                changed, expect = {path: mutated[0]}, mutated[1]
            tried += 1
            got = [str(f) for f in check(changed).findings]
            if not any(expect in g for g in got):
                failed += 1
                print(f"self-test: {category} {what} at {path}:{line} renamed, but not reported; findings: {got}")
    # A pattern that binds one associated value fewer than its case has must be reported.
    arity = re.compile(r"case (?:let )?\.(\w+)\((let \w+|_), (?:let \w+|_)\)")
    target = next((k for k, v in files.items() if arity.search(v)), None)
    tried += 1
    if target is None:
        failed += 1
        print("self-test: no switch pattern binding two associated values to shorten")
    else:
        m = arity.search(files[target])
        shortened = files[target][:m.start()] + f"case .{m.group(1)}({m.group(2)})" + files[target][m.end():]
        got = [str(f) for f in check({target: shortened}).findings]
        if not any("associated value" in g and m.group(1) in g for g in got):
            failed += 1
            print(f"self-test: case .{m.group(1)} shortened to one binding in {target}, but not reported; findings: {got}")
    # A syntax error in the first file must be found.
    first = next(iter(files))
    broken = parse(first, files[first][::-1].replace("}", "", 1)[::-1])
    tried += 1
    if syntax_error(broken) is None:
        failed += 1
        print(f"self-test: deleting the last brace of {first} was not reported as a syntax error")
    missing = [c for c in REQUIRED_CATEGORIES if not picked.get(c)]
    if missing:
        failed += 1
        print(f"self-test: no {', '.join(missing)} use to rename")
    print(f"self-test: {tried - failed} of {tried} renamed uses caught"
          + (f", {failed} FAILED" if failed else " (" + ", ".join(f"{len(picked.get(c, []))} {c}" for c in CATEGORIES) + ")"))
    return 1 if failed else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ios", required=True, type=Path)
    ap.add_argument("--bindings", required=True, type=Path, help="the generated FieldworkFFI.swift")
    ap.add_argument("--self-test", action="store_true")
    ap.add_argument("--verbose", action="store_true", help="list every checked use")
    args = ap.parse_args()
    ios, bindings = args.ios.resolve(), args.bindings.resolve()
    root = ios.parent
    if args.self_test:
        return self_test(ios, bindings, root)
    return run(ios, bindings, root, args.verbose)


if __name__ == "__main__":
    sys.exit(main())
