"""Static checks of the Android Kotlin code where nothing can compile android/app (scripts/check-kotlin.sh).

1. Syntax: every .kt/.kts file under android/ (app, shell, ui, jvm, ffi and the Gradle scripts)
   parses with tree-sitter-kotlin without an error node; the first error of each file is printed
   as file:line:col.
2. API drift: every use the android/ code makes of the core's generated Kotlin API (FieldworkApp
   methods and their named arguments, record fields and constructors, enum entries, ApiException
   and SecretStoreException subclasses, the foreign interfaces SecretStore / LogSink /
   JobsObserver it implements, the free functions, every name imported from app.fieldwork.ffi)
   exists in the bindings generated from the current Rust code.
3. Strings: values/ and values-zh-rCN/ strings.xml of :ui (and :app, which has its own) hold the
   same names with the same format arguments, and every R.string.x a module's code names exists.

The drift check is a small type resolver, not a compiler. It learns the core's types from the
generated file and the android code's own declarations (classes, their properties and functions
with declared types, extension functions) from android/, and follows names through parameters,
`val x = ...`, destructuring, `for (x in ...)`, lambdas over typed collections and flows, scope
functions (`let`, `also`, `apply`...), `as`, `!!`, `?:`, smart casts after `is` (in `when` and
`if`) and `catch (e: T)`. A name means a core type only where the file imports it from
app.fieldwork.ffi. It reports a use only when it resolved the receiver to a core type, so code it
cannot type is left alone (never a false alarm) and counted per category; a run that sees no use
of a category fails, so a grammar change cannot make the check silently blind.
`--self-test` renames real uses in memory and checks that each is reported.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import tree_sitter as ts
import tree_sitter_kotlin as tsk

PARSER = ts.Parser(ts.Language(tsk.language()))
sys.setrecursionlimit(20_000)  # the walk follows the syntax tree's depth (long call chains)

FFI_PACKAGE = "app.fieldwork.ffi"
# Folders under android/ that are not the project's sources (build output, IDE state).
SKIP_DIRS = {"build", "target", ".gradle", ".idea", ".kotlin", "generated"}
CATEGORIES = ["method", "field", "case", "init", "conformance", "function", "import"]
# Categories the android code always uses: seeing none means the checker went blind.
REQUIRED_CATEGORIES = ["method", "field", "case", "conformance", "import"]

# ---------------------------------------------------------------------------------------------
# Parsing, and two constructs tree-sitter-kotlin (1.1.0) rejects although Kotlin accepts them.
# Both rewrites keep every line where it was; the error positions printed are the original's.
#
# 1. A block comment followed by code on its last line (`/** doc */override fun`, which uniffi
#    generates): the comment is blanked with spaces, so the code starts a line of its own.
# 2. A class body's last member on the line of its closing brace (`class A { val x = 1 }`,
#    `object : I { override fun f() = 1 }`): the grammar wants a newline or `;` before the
#    `}`. Where a file does not parse, a `;` is put before each `}` that follows code on its
#    line (outside strings and comments; in place of the space before it when there is one).
#    Kotlin reads a `;` there as an empty statement, so this hides no error the compiler would
#    report (except an `if`/`else` without a body right before a `}`); the rewrite is kept only
#    if it removes errors.

COMMENT_BEFORE_CODE = re.compile(r"^([ \t]*)(/\*(?:[^*]|\*(?!/))*\*/)(?=[ \t]*[^\s])", re.M)


@dataclass
class Source:
    path: str
    text: str
    tree: object = None
    rewrites: int = 0
    shifts: list = field(default_factory=list)  # (row, column in the parsed text) of inserted `;`


def blank_comments(text: str) -> tuple[str, int]:
    return COMMENT_BEFORE_CODE.subn(lambda m: m.group(1) + re.sub(r"[^\n]", " ", m.group(2)), text)


def code_closing_braces(s: str) -> list[int]:
    """Offsets of the `}` that close code (not string templates), skipping comments, strings,
    characters and backquoted names."""
    out, i, n = [], 0, len(s)
    ctx = [["code", 0]]  # code (open-brace depth), "str", "raw"
    while i < n:
        top = ctx[-1]
        c = s[i]
        if top[0] == "code":
            if s.startswith("//", i):
                j = s.find("\n", i)
                i = n if j < 0 else j
            elif s.startswith("/*", i):
                depth, i = 1, i + 2
                while i < n and depth:
                    if s.startswith("/*", i):
                        depth, i = depth + 1, i + 2
                    elif s.startswith("*/", i):
                        depth, i = depth - 1, i + 2
                    else:
                        i += 1
            elif s.startswith('"""', i):
                ctx.append(["raw"])
                i += 3
            elif c == '"':
                ctx.append(["str"])
                i += 1
            elif c == "'":
                m = re.compile(r"'(?:\\u[0-9a-fA-F]{4}|\\.|[^'\\\n])'").match(s, i)
                i = m.end() if m else i + 1
            elif c == "`":
                j = s.find("`", i + 1)
                i = n if j < 0 else j + 1
            elif c == "{":
                top[1] += 1
                i += 1
            elif c == "}":
                if top[1] == 0 and len(ctx) > 1:
                    ctx.pop()  # the end of a ${...} template
                else:
                    top[1] -= 1
                    if len(ctx) == 1:
                        out.append(i)
                i += 1
            else:
                i += 1
            continue
        if top[0] == "str":
            if c == "\\":
                i += 2
                continue
            if c in '"\n':
                ctx.pop()
                i += 1
                continue
        elif s.startswith('"""', i):
            j = i + 3
            while j < n and s[j] == '"':
                j += 1
            ctx.pop()
            i = j
            continue
        if s.startswith("${", i):
            ctx.append(["code", 0])
            i += 2
            continue
        i += 1
    return out


def semicolons_before_braces(text: str) -> tuple[str, int, list]:
    chars, count, shifts = list(text), 0, []
    for pos in reversed(code_closing_braces(text)):
        j = pos - 1
        while j >= 0 and text[j] in " \t":
            j -= 1
        if j < 0 or text[j] in "\n{;,(":
            continue
        count += 1
        if text[pos - 1] == " ":
            chars[pos - 1] = ";"
        else:
            chars.insert(pos, ";")
            row = text.count("\n", 0, pos)
            shifts.append((row, pos - (text.rfind("\n", 0, pos) + 1)))
    return "".join(chars), count, shifts


def error_count(tree) -> int:
    count, stack = 0, [tree.root_node] if tree.root_node.has_error else []
    while stack:
        n = stack.pop()
        bad = [c for c in n.children if c.has_error or c.is_missing]
        if n.is_error or n.is_missing or not bad:
            count += 1  # (a node with an error but no child with one holds a hidden MISSING node)
            continue
        stack.extend(bad)
    return count


def parse(path: str, text: str) -> Source:
    blanked, rewrites = blank_comments(text)
    tree = PARSER.parse(blanked.encode())
    src = Source(path, text, tree, rewrites)
    if tree.root_node.has_error:
        fixed, count, shifts = semicolons_before_braces(blanked)
        retry = PARSER.parse(fixed.encode())
        if count and error_count(retry) < error_count(tree):
            src.tree, src.rewrites, src.shifts = retry, rewrites + count, shifts
    return src


def first_error(node):
    if node.is_error or node.is_missing:
        return node
    for child in node.children:
        if child.has_error or child.is_missing:
            found = first_error(child)
            if found is not None:
                return found
    return node if node.has_error else None  # a hidden MISSING node inside it


def syntax_error(src: Source) -> str | None:
    if not src.tree.root_node.has_error:
        return None
    node = first_error(src.tree.root_node) or src.tree.root_node
    row, col = node.start_point.row, node.start_point.column
    lines = src.text.split("\n")
    line = lines[row] if row < len(lines) else ""
    # tree-sitter counts bytes; the message counts characters of the original line.
    col = len(line.encode()[:col].decode(errors="ignore")) if line else col
    col -= sum(1 for r, c in src.shifts if r == row and c < col)
    what = f"missing {node.type!r}" if node.is_missing else "syntax error"
    return f"{src.path}:{row + 1}:{col + 1}: {what}: {line.strip()[:100]}"


def text(node) -> str:
    return node.text.decode()


def kids(node, *types):
    return [c for c in node.children if c.is_named and (not types or c.type in types)]


def kid(node, *types):
    return next((c for c in node.children if c.is_named and (not types or c.type in types)), None)


def has_token(node, token: str) -> bool:
    return any(not c.is_named and c.type == token for c in node.children)


def ident(s: str) -> str:
    return s.strip("`")


def line_of(node) -> int:
    return node.start_point.row + 1


# ---------------------------------------------------------------------------------------------
# Types are strings: the Kotlin type as written, without spaces, `kotlin.` prefixes and
# annotations, with the core's types marked `ffi.` (`List<ffi.JobSummaryRecord>?`). A type name
# used as a value (`JobStatus.NEW`, `FieldworkApp.open`) is `Type:ffi.JobStatus`.

TYPE_NODES = {"user_type", "nullable_type", "function_type", "parenthesized_type", "non_nullable_type",
              "type_modifiers", "dynamic"}
COLLECTIONS = {"List", "MutableList", "ArrayList", "Set", "MutableSet", "HashSet", "Collection",
               "MutableCollection", "Iterable", "Sequence", "Array", "Flow", "StateFlow", "MutableStateFlow",
               "SharedFlow", "MutableSharedFlow", "Channel", "ReceiveChannel", "SendChannel", "ArrayDeque",
               "ProducerScope", "Iterator", "IndexedValue", "ReceiveTurbine"}
HOLDERS = {"State", "MutableState", "StateFlow", "MutableStateFlow", "Lazy", "Deferred", "AtomicReference", "Result"}
KOTLIN_PREFIX = re.compile(r"\b(?:kotlin\.collections\.|kotlin\.|java\.lang\.)(?=[A-Z])")


@dataclass
class FileCtx:
    path: str
    package: str = ""
    ffi_names: dict = field(default_factory=dict)  # local name -> core name (imports)
    ffi_star: bool = False
    is_bindings: bool = False
    core_types: set = field(default_factory=set)   # the bindings' own type names (bindings file)

    def core_name(self, name: str) -> str | None:
        if self.is_bindings:
            return name if name in self.core_types else None
        if name in self.ffi_names:
            return self.ffi_names[name]
        if self.ffi_star and name in self.core_types:
            return name
        return None


def qualify(type_text: str, ctx: FileCtx) -> str:
    t = re.sub(r"@\w+(?:\([^()]*\))?", "", type_text)
    t = re.sub(r"\s+", "", t)
    t = KOTLIN_PREFIX.sub("", t)
    t = t.replace(FFI_PACKAGE + ".", "ffi.")

    def repl(m):
        name = m.group(2)
        if m.group(1) == "ffi.":
            return m.group(0)
        core = ctx.core_name(name)
        return f"ffi.{core}{m.group(3)}" if core else m.group(0)

    return re.sub(r"(?<![\w.])(ffi\.)?([A-Z]\w*)((?:\.[A-Z]\w*)*)", repl, t)


def strip_null(t: str | None) -> str | None:
    while t and (t.endswith("?") or t.endswith("!")):
        t = t[:-1]
    if t and t.startswith("(") and t.endswith(")") and split_top(t[1:-1], ",") == [t[1:-1]] and "->" in t:
        t = t[1:-1]
    return t


def split_top(s: str, sep: str) -> list[str]:
    parts, depth, cur = [], 0, ""
    i = 0
    while i < len(s):
        c = s[i]
        if c in "<([":
            depth += 1
        elif c in ">)]" and not (c == ">" and i > 0 and s[i - 1] == "-"):
            depth -= 1
        if c == sep and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += c
        i += 1
    parts.append(cur)
    return parts


def generic(t: str | None) -> tuple[str | None, list]:
    t = strip_null(t)
    if not t:
        return None, []
    m = re.fullmatch(r"([\w.]+)<(.*)>", t)
    if not m:
        return t, []
    return m.group(1), split_top(m.group(2), ",")


def base_name(t: str | None) -> str | None:
    b, _ = generic(t)
    if b and b.startswith("out"):
        b = b[3:] if b[3:4].isupper() else b
    return b


def element_of(t: str | None) -> str | None:
    b, args = generic(t)
    if b is None:
        return None
    short = b.rsplit(".", 1)[-1]
    if short in COLLECTIONS and args:
        return clean_arg(args[0])
    if short.endswith("Array") and short != "Array" and short[:-5] in ("Int", "Long", "Byte", "Short", "Float", "Double", "Char", "Boolean"):
        return short[:-5]
    return None


def clean_arg(a: str) -> str:
    for v in ("out", "in"):
        if a.startswith(v) and len(a) > len(v) and (a[len(v)].isupper() or a[len(v):].startswith("ffi.")):
            return a[len(v):]
    return a


def function_type(t: str | None):
    """(receiver, [parameter types], result) of `(A, B) -> R`, `T.(A) -> R`, `suspend () -> R`."""
    t = strip_null(t)
    if not t or "->" not in t:
        return None
    t = t[len("suspend"):] if t.startswith("suspend") else t
    depth, i, arrow = 0, 0, -1
    while i < len(t) - 1:
        c = t[i]
        if c in "<([":
            depth += 1
        elif c in ">)]" and not (c == ">" and t[i - 1] == "-"):
            depth -= 1
        elif c == "-" and t[i + 1] == ">" and depth == 0:
            arrow = i
            break
        i += 1
    if arrow < 0:
        return None
    head, result = t[:arrow], t[arrow + 2:]
    receiver = None
    m = re.fullmatch(r"(.+?)\.(\(.*\))", head)
    if m and not head.startswith("("):
        receiver, head = m.group(1), m.group(2)
    if not (head.startswith("(") and head.endswith(")")):
        return None
    inner = head[1:-1]
    params = [re.sub(r"^\w+:", "", p) for p in split_top(inner, ",")] if inner else []
    return receiver, params, result


# ---------------------------------------------------------------------------------------------
# Declarations (of the bindings, and of the android code)


@dataclass
class Param:
    name: str
    type: str | None
    default: bool = False
    vararg: bool = False


@dataclass
class Member:
    kind: str  # fun, val, entry, class
    name: str
    params: list | None = None
    type: str | None = None
    static: bool = False
    owner: str = ""
    type_params: tuple = ()
    init: object = None        # an untyped property's initializer or expression body, typed lazily
    ctx: FileCtx | None = None
    delegated: bool = False

    def signature(self) -> str:
        if self.kind != "fun":
            return self.name
        return f"{self.name}({', '.join(p.name for p in self.params or [])})"


@dataclass
class TypeInfo:
    name: str
    kind: str  # class, data, enum, sealed, interface, object, abstract
    members: dict = field(default_factory=dict)
    supers: list = field(default_factory=list)
    delegated: list = field(default_factory=list)
    ctors: list = field(default_factory=list)
    path: str = ""

    def add(self, m: Member):
        self.members.setdefault(m.name, []).append(m)


def modifiers_of(node) -> set:
    mods = kid(node, "modifiers")
    out = set()
    if mods is None:
        return out
    for m in mods.children:
        if m.type == "annotation":
            continue
        for tok in m.children:
            out.add(text(tok))
        if not m.children:
            out.add(text(m))
    return out


def type_child(node):
    """The declared type of a parameter, variable or function (its first type node)."""
    return next((c for c in node.children if c.type in TYPE_NODES), None)


def function_parts(fn, ctx: FileCtx):
    """Name, receiver type, parameters, return type and type parameters of a function_declaration."""
    name_node = fn.child_by_field_name("name")
    name = ident(text(name_node)) if name_node is not None else ""
    receiver, ret, seen_params = None, None, False
    tparams = tuple(ident(text(kid(tp, "identifier"))) for tps in kids(fn, "type_parameters")
                    for tp in kids(tps, "type_parameter") if kid(tp, "identifier") is not None)
    for c in fn.children:
        if c.type == "function_value_parameters":
            seen_params = True
        elif c.type in TYPE_NODES:
            if seen_params:
                ret = qualify(text(c), ctx)
            else:
                receiver = qualify(text(c), ctx)
    params = value_parameters(kid(fn, "function_value_parameters"), ctx)
    return name, receiver, params, ret, tparams


def value_parameters(node, ctx: FileCtx) -> list:
    params = []
    if node is None:
        return params
    vararg = False
    for c in node.children:
        if c.type == "parameter_modifiers":
            vararg = "vararg" in text(c)
        elif c.type == "parameter":
            name = kid(c, "identifier")
            tnode = type_child(c)
            params.append(Param(ident(text(name)) if name is not None else "_",
                                qualify(text(tnode), ctx) if tnode is not None else None, False, vararg))
            vararg = False
        elif c.is_named and params and c.type not in ("line_comment", "block_comment"):
            params[-1].default = True
    return params


def class_parameters(node, ctx: FileCtx):
    """Constructor parameters and the properties among them (`val`/`var`)."""
    params, props = [], []
    cps = kid(node, "class_parameters") if node is not None else None
    for cp in kids(cps, "class_parameter") if cps is not None else []:
        name = kid(cp, "identifier")
        tnode = type_child(cp)
        p = Param(ident(text(name)) if name is not None else "_", qualify(text(tnode), ctx) if tnode is not None else None,
                  has_token(cp, "="), "vararg" in modifiers_of(cp))
        params.append(p)
        if has_token(cp, "val") or has_token(cp, "var"):
            props.append(p)
    return params, props


def class_kind(node) -> str:
    mods = modifiers_of(node)
    if node.type in ("object_declaration", "companion_object", "object_literal"):
        return "object"
    if has_token(node, "interface"):
        return "interface"
    for k in ("enum", "data", "sealed", "abstract", "annotation"):
        if k in mods:
            return k
    return "class"


def supertypes(node, ctx: FileCtx):
    supers, delegated = [], []
    for spec in kids(node, "delegation_specifiers"):
        for d in kids(spec, "delegation_specifier"):
            inner = kid(d)
            if inner is None:
                continue
            if inner.type == "constructor_invocation":
                t = kid(inner, "user_type")
            elif inner.type == "explicit_delegation":
                t = kid(inner, "user_type")
                if t is not None:
                    delegated.append(qualify(text(t), ctx))
            else:
                t = inner if inner.type == "user_type" else None
            if t is not None:
                supers.append(qualify(re.sub(r"<.*", "", text(t)), ctx))
    return supers, delegated


@dataclass
class Decls:
    types: dict = field(default_factory=dict)       # name -> TypeInfo
    top: dict = field(default_factory=dict)         # name -> [Member] (top-level functions, properties)
    extensions: dict = field(default_factory=dict)  # receiver base name -> {name: [Member]}
    aliases: set = field(default_factory=set)       # nested types' short names

    def add_type(self, info: TypeInfo, alias: str | None = None):
        """Adds a type under its name, or a nested type under its own short name too (unless
        another type has that name: a top-level type wins over a nested one's alias)."""
        if alias is not None:
            if alias not in self.types:
                self.types[alias] = info
                self.aliases.add(alias)
            return
        name = info.name
        old = self.types.get(name)
        if name in self.aliases:
            self.aliases.discard(name)
            old = None
        if old is None:
            self.types[name] = info
        elif old is info or old.kind == "ambiguous":
            pass
        elif old.path != info.path and not name.startswith("ffi."):
            # Two types of that name in different files (packages): which one a use means is
            # not known here, so neither is used to type anything.
            self.types[name] = TypeInfo(name, "ambiguous", path=old.path)
        else:
            for ms in info.members.values():
                for m in ms:
                    old.add(m)
            old.supers += [s for s in info.supers if s not in old.supers]
            old.ctors += info.ctors


def collect(src: Source, ctx: FileCtx, decls: Decls, public_only: bool):
    """Type declarations (nested ones under Outer.Inner, and under their own name for the android
    code), top-level functions and properties, extension functions."""
    prefix_core = "ffi." if ctx.is_bindings else ""

    def visible(node) -> bool:
        return not public_only or not (modifiers_of(node) & {"private", "internal", "protected"})

    def visit_type(node, outer: TypeInfo | None):
        name_node = node.child_by_field_name("name") or kid(node, "identifier")
        if name_node is None:
            return
        if not visible(node):
            return
        name = ident(text(name_node))
        full = f"{outer.name}.{name}" if outer else f"{prefix_core}{name}"
        info = TypeInfo(full, class_kind(node), path=ctx.path)
        info.supers, info.delegated = supertypes(node, ctx)
        ctor_params, props = class_parameters(kid(node, "primary_constructor"), ctx)
        if kid(node, "primary_constructor") is not None or info.kind not in ("interface", "object", "enum"):
            info.ctors.append(ctor_params)
        for p in props:
            info.add(Member("val", p.name, type=p.type, owner=full))
        body = kid(node, "class_body", "enum_class_body")
        members(body, info, full, static=False)
        decls.add_type(info)
        if outer:
            outer.add(Member("class", name, type=f"Type:{full}", static=True, owner=outer.name))
            if not ctx.is_bindings:
                decls.add_type(info, name)  # also known by its own name

    def members(body, info: TypeInfo, full: str, static: bool):
        for m in kids(body) if body is not None else []:
            if m.type in ("class_declaration", "object_declaration"):
                visit_type(m, info)
            elif m.type == "companion_object":
                members(kid(m, "class_body"), info, full, static=True)
            elif m.type == "enum_entry":
                n = kid(m, "identifier")
                if n is not None:
                    info.add(Member("entry", ident(text(n)), type=full, static=True, owner=full))
            elif not visible(m):
                continue
            elif m.type == "function_declaration":
                name, receiver, params, ret, tparams = function_parts(m, ctx)
                body_expr = expression_body(m) if ret is None else None
                mem = Member("fun", name, params, ret, static, full, tparams, body_expr, ctx)
                if receiver is None:
                    info.add(mem)
                elif not ctx.is_bindings:
                    decls.extensions.setdefault(base_name(receiver) or receiver, {}).setdefault(name, []).append(mem)
            elif m.type == "property_declaration":
                for name, tnode, init in property_names(m):
                    info.add(Member("val", name, type=qualify(text(tnode), ctx) if tnode is not None else None,
                                    static=static, owner=full, init=init, ctx=ctx))
            elif m.type == "secondary_constructor":
                info.ctors.append(value_parameters(kid(m, "function_value_parameters"), ctx))

    root = src.tree.root_node
    for node in kids(root):
        if node.type in ("class_declaration", "object_declaration"):
            visit_type(node, None)
        elif node.type == "function_declaration" and visible(node):
            name, receiver, params, ret, tparams = function_parts(node, ctx)
            mem = Member("fun", name, params, ret, False, "", tparams, expression_body(node) if ret is None else None, ctx)
            if receiver is not None:
                decls.extensions.setdefault(base_name(receiver) or receiver, {}).setdefault(name, []).append(mem)
            else:
                decls.top.setdefault(name, []).append(mem)
        elif node.type == "property_declaration" and visible(node):
            receiver = next((c for c in node.children if c.type in TYPE_NODES), None)
            for name, tnode, init in property_names(node):
                mem = Member("val", name, type=qualify(text(tnode), ctx) if tnode is not None else None, init=init, ctx=ctx)
                if receiver is not None:
                    decls.extensions.setdefault(base_name(qualify(text(receiver), ctx)), {}).setdefault(name, []).append(mem)
                else:
                    decls.top.setdefault(name, []).append(mem)


def expression_body(fn):
    body = kid(fn, "function_body")
    if body is None or kid(body, "block") is not None:
        return None
    return kid(body)


def property_names(node):
    """(name, type node, initializer) of a property declaration (no destructuring)."""
    var = kid(node, "variable_declaration")
    if var is None:
        return []
    name = kid(var, "identifier")
    init = None
    seen_eq = False
    for c in node.children:
        if not c.is_named and c.type == "=":
            seen_eq = True
        elif seen_eq and c.is_named:
            init = c
            break
        elif c.type == "property_delegate":
            init = c
    getter = kid(node, "getter")
    if init is None and getter is not None:
        init = expression_body(getter)
    return [(ident(text(name)), type_child(var), init)] if name is not None else []


def file_context(src: Source, core_types: set, is_bindings=False) -> FileCtx:
    ctx = FileCtx(src.path, is_bindings=is_bindings, core_types=core_types)
    root = src.tree.root_node
    for node in kids(root):
        if node.type == "package_header":
            q = kid(node, "qualified_identifier")
            ctx.package = text(q) if q is not None else ""
        elif node.type == "import":
            q = kid(node, "qualified_identifier")
            if q is None:
                continue
            path = text(q)
            alias = kid(node, "identifier")
            if path == FFI_PACKAGE and has_token(node, "*"):
                ctx.ffi_star = True
            elif path.startswith(FFI_PACKAGE + "."):
                name = path[len(FFI_PACKAGE) + 1:].split(".")[0]
                ctx.ffi_names[ident(text(alias)) if alias is not None else name] = name
    if ctx.package == FFI_PACKAGE:
        ctx.ffi_star = True
    return ctx


class Api:
    """The core's Kotlin API, from the generated bindings."""

    PLUMBING = re.compile(r"^(FfiConverter|Uniffi|uniffi|RustBuffer|ForeignBytes|ForeignCallback|NoHandle|Disposable"
                          r"|InternalException|.*Impl$|.*Cleaner|.*Structure)")

    def __init__(self, src: Source):
        names = {ident(text(n.child_by_field_name("name") or kid(n, "identifier")))
                 for n in kids(src.tree.root_node, "class_declaration", "object_declaration")
                 if (n.child_by_field_name("name") or kid(n, "identifier")) is not None}
        names = {n for n in names if not self.PLUMBING.match(n)}
        ctx = FileCtx(src.path, FFI_PACKAGE, is_bindings=True, core_types=names)
        decls = Decls()
        collect(src, ctx, decls, public_only=True)
        self.types = {n: t for n, t in decls.types.items() if n.split(".")[1] in names}
        self.functions = {n: ms for n, ms in decls.top.items() if not n.startswith("uniffi") and ms[0].kind == "fun"}
        self.names = names
        # FieldworkApp's methods are declared in FieldworkAppInterface too; keep the union.
        for info in self.types.values():
            for parent in info.supers:
                pinfo = self.types.get(parent)
                if pinfo is not None and pinfo.kind == "interface" and parent != info.name:
                    for ms in pinfo.members.values():
                        for m in ms:
                            if m.name not in info.members:
                                info.add(m)

    def short(self, t: str) -> str:
        return t[4:] if t.startswith("ffi.") else t


# ---------------------------------------------------------------------------------------------
# Resolution


# Members every core value has (Any, data classes, enums, exceptions, Disposable/AutoCloseable).
UNIVERSAL = {"toString", "equals", "hashCode", "javaClass", "copy", "name", "ordinal", "compareTo", "message",
             "cause", "localizedMessage", "stackTrace", "printStackTrace", "addSuppressed", "suppressed",
             "destroy", "close", "use", "let", "also", "apply", "run", "takeIf", "takeUnless", "to", "declaringJavaClass",
             "uniffiClonePointer", "uniffiCloneHandle"}
STATIC_UNIVERSAL = {"entries", "values", "valueOf", "Companion", "ErrorHandler", "class", "NoHandle"}
# Collection / flow methods: what their lambda gets, and what they return.
ELEMENT_LAMBDA = {"map", "mapNotNull", "mapIndexed", "forEach", "forEachIndexed", "filter", "filterNot", "filterIndexed",
                  "first", "firstOrNull", "last", "lastOrNull", "single", "singleOrNull", "find", "findLast", "any",
                  "all", "none", "count", "sumOf", "maxOf", "minOf", "maxBy", "minBy", "maxByOrNull", "minByOrNull",
                  "sortedBy", "sortedByDescending", "groupBy", "associate", "associateBy", "associateWith",
                  "partition", "flatMap", "onEach", "indexOfFirst", "indexOfLast", "takeWhile", "dropWhile",
                  "distinctBy", "collect", "collectLatest", "mapTo", "joinToString", "removeAll", "removeIf",
                  "retainAll", "zip", "fold", "reduce", "sumBy", "mapNotNullTo", "filterTo", "chunked", "windowed",
                  "transform", "filterIsInstance", "toSortedMap", "count"}
INDEXED = {"mapIndexed", "forEachIndexed", "filterIndexed"}
RETURNS_ELEMENT = {"awaitItem", "expectMostRecentItem", "first", "last", "single", "random", "get", "elementAt", "component1", "next", "receive", "removeFirst",
                   "removeLast", "maxBy", "minBy", "getValue", "value"}
RETURNS_NULLABLE_ELEMENT = {"firstOrNull", "lastOrNull", "singleOrNull", "randomOrNull", "getOrNull", "find", "findLast",
                            "maxByOrNull", "minByOrNull", "elementAtOrNull", "receiveCatching", "removeFirstOrNull"}
RETURNS_SAME = {"filter", "filterNot", "filterIndexed", "sortedBy", "sortedByDescending", "sorted", "sortedDescending",
                "reversed", "take", "takeLast", "drop", "dropLast", "distinct", "distinctBy", "shuffled", "toList",
                "toMutableList", "onEach", "takeWhile", "dropWhile", "asReversed", "plus", "minus", "filterNotNull"}
FLOW_SAME = {"distinctUntilChanged", "filter", "onEach", "conflate", "buffer", "debounce", "sample", "catch", "onStart",
             "onCompletion", "take", "drop", "shareIn", "asSharedFlow", "retry", "flowOn", "cancellable", "filterNotNull"}
# Functions whose result is their lambda's (`remember { X() }`, `withContext(io) { ... }`).
LAMBDA_RESULT = {"run", "with", "remember", "lazy", "viewModel", "withContext", "runBlocking", "coroutineScope",
                 "synchronized", "supervisorScope", "withTimeout", "rememberSaveable", "derivedStateOf", "runTest",
                 "assertDoesNotThrow", "measureTimedValue", "buildList", "async"}
HOLDER_OF = {"mutableStateOf": "MutableState", "MutableStateFlow": "MutableStateFlow", "listOf": "List",
             "mutableListOf": "MutableList", "setOf": "Set", "mutableSetOf": "MutableSet", "arrayOf": "Array",
             "flowOf": "Flow", "sequenceOf": "Sequence", "CompletableDeferred": "CompletableDeferred", "lazyOf": "Lazy",
             "listOfNotNull": "List", "AtomicReference": "AtomicReference"}
SCOPE_IT = {"let", "also", "takeIf", "takeUnless", "use"}
# Compose's lazy lists and loops: `items(xs) { x -> }`.
LIST_BUILDERS = {"items", "itemsIndexed", "ForEach", "repeat"}
SCOPE_THIS = {"apply", "run", "with"}


class Scope:
    def __init__(self, parent, names=None, this=None):
        self.parent, self.names, self.this = parent, names if names is not None else {}, this

    def lookup(self, name: str):
        s = self
        while s is not None:
            if name in s.names:
                return True, s.names[name]
            s = s.parent
        return False, None

    def receivers(self) -> list:
        out, s = [], self
        while s is not None:
            if s.this is not None:
                out.append(s.this)
            s = s.parent
        return out


@dataclass
class Finding:
    path: str
    line: int
    message: str

    def __str__(self):
        return f"{self.path}:{self.line}: {self.message}"


class Checker:
    def __init__(self, api: Api, decls: Decls):
        self.api, self.decls = api, decls
        self.findings: list[Finding] = []
        self.counts = {c: 0 for c in CATEGORIES}
        self.used: set[str] = set()
        self.checked: list[str] = []
        self.handled: set = set()
        self.typing: set = set()
        self.ctx: FileCtx | None = None
        self.path = ""

    # -- reporting

    def ok(self, category: str, what: str, node):
        self.counts[category] += 1
        self.used.add(what)
        self.checked.append(f"{self.path}:{line_of(node)}:{node.start_point.column + 1}: {category} {what}")

    def missing(self, node, message: str):
        finding = Finding(self.path, line_of(node), message)
        if finding not in self.findings:
            self.findings.append(finding)

    @staticmethod
    def suggest(name: str, candidates) -> str:
        by_lower = {c.lower(): c for c in candidates}
        close = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=0.6)
        return f" (did you mean {by_lower[close[0]]}?)" if close else ""

    # -- what a type means

    def core(self, t: str | None) -> TypeInfo | None:
        b = base_name(t)
        return self.api.types.get(b) if b else None

    def shell(self, t: str | None) -> TypeInfo | None:
        b = base_name(t)
        if not b or b.startswith("ffi."):
            return None
        return self.decls.types.get(b) or self.decls.types.get(b.rsplit(".", 1)[-1])

    def member_type(self, m: Member) -> str | None:
        """A member's type; untyped properties and expression-bodied functions are typed from
        their initializer."""
        if m.type is not None:
            return None if m.type in m.type_params else m.type
        if m.init is None or id(m) in self.typing:
            return None
        self.typing.add(id(m))
        saved = self.ctx
        try:
            self.ctx = m.ctx or self.ctx
            scope = Scope(None, {}, m.owner or None)
            if m.params:
                scope = Scope(scope, {p.name: p.type for p in m.params})
            init = m.init
            if init.type == "property_delegate":
                return self.delegate_type(kid(init), scope)
            return self.infer(init, scope)
        finally:
            self.ctx = saved
            self.typing.discard(id(m))

    def find_members(self, t: str | None, name: str, static=False, seen=None) -> list:
        """Members `name` of type t (its supertypes too), and the android code's extensions of it."""
        b = base_name(t)
        if not b:
            return []
        seen = seen or set()
        if b in seen:
            return []
        seen.add(b)
        info = self.api.types.get(b) or self.shell(b)
        found = []
        if info is not None:
            found = [m for m in info.members.get(name, []) if m.static == static or m.kind in ("class", "entry")]
            if not found and not static:
                for s in info.supers:
                    found = self.find_members(s, name, False, seen)
                    if found:
                        break
        if not found and not static:
            ext = self.decls.extensions.get(b, {}) or self.decls.extensions.get(b.replace("ffi.", ""), {})
            found = ext.get(name, [])
        return found

    # -- expressions

    def infer(self, node, scope: Scope) -> str | None:
        if node is None:
            return None
        t = node.type
        if t == "identifier":
            return self.name_type(ident(text(node)), scope)
        if t == "this_expression":
            label = kid(node, "identifier")
            recv = scope.receivers()
            if label is not None:
                want = ident(text(label))
                return next((r for r in recv if base_name(r) and base_name(r).rsplit(".", 1)[-1] == want), None)
            return recv[0] if recv else None
        if t == "parenthesized_expression":
            return self.infer(kid(node), scope)
        if t == "unary_expression":
            arg = node.child_by_field_name("argument")
            op = node.child_by_field_name("operator")
            if op is not None and text(op) == "!!":
                return strip_null(self.infer(arg, scope))
            return None
        if t == "as_expression":
            right = node.child_by_field_name("right")
            q = qualify(text(right), self.ctx) if right is not None else None
            return (q + "?") if q and has_token(node, "as?") else q
        if t == "binary_expression":
            op = node.child_by_field_name("operator")
            if op is not None and text(op) == "?:":
                return strip_null(self.infer(node.child_by_field_name("left"), scope))
            return None
        if t == "navigation_expression":
            return self.navigation_type(node, scope)
        if t == "call_expression":
            return self.call_type(node, scope)
        if t == "index_expression":
            target = kid(node)
            tt = self.infer(target, scope)
            b, args = generic(tt)
            if b and b.rsplit(".", 1)[-1] in ("Map", "MutableMap", "HashMap", "LinkedHashMap") and len(args) == 2:
                return clean_arg(args[1]) + "?"
            return element_of(tt)
        if t == "string_literal":
            return "String"
        if t in ("if_expression", "when_expression", "try_expression"):
            return None
        if t == "object_literal":
            supers, _ = supertypes(node, self.ctx)
            return supers[0] if supers else None
        return None

    def name_type(self, name: str, scope: Scope) -> str | None:
        found, t = scope.lookup(name)
        if found:
            return t
        for recv in scope.receivers():
            ms = self.find_members(recv, name)
            ms = [m for m in ms if m.kind == "val"]
            if ms:
                return self.member_type(ms[0])
            ms = self.find_members(recv, name, static=True)
            ms = [m for m in ms if m.kind in ("val", "entry")]
            if ms:
                return self.member_type(ms[0])
        core = self.ctx.core_name(name)
        if core:
            return f"Type:ffi.{core}"
        if name in self.decls.types:
            return f"Type:{name}"
        top = [m for m in self.decls.top.get(name, []) if m.kind == "val"]
        if top:
            return self.member_type(top[0])
        return None

    def navigation_parts(self, node):
        children = [c for c in node.children]
        target = children[0] if children else None
        op = next((c for c in children[1:] if not c.is_named), None)
        member = children[-1] if len(children) >= 2 and children[-1].type == "identifier" else None
        return target, (text(op) if op is not None else "."), member

    def navigation_type(self, node, scope: Scope) -> str | None:
        target, op, member = self.navigation_parts(node)
        if member is None or op == "::":
            return None
        owner = self.infer(target, scope)
        return self.type_of_member(owner, ident(text(member)))

    def type_of_member(self, owner: str | None, name: str) -> str | None:
        if owner is None:
            return None
        if owner.startswith("Type:"):
            tname = owner[5:]
            ms = self.find_members(tname, name, static=True)
            if ms:
                m = ms[0]
                return m.type if m.kind in ("class", "entry") else self.member_type(m)
            return None
        ms = [m for m in self.find_members(owner, name) if m.kind == "val"]
        if ms:
            return self.member_type(ms[0])
        b, args = generic(owner)
        short = b.rsplit(".", 1)[-1] if b else ""
        if name == "value" and short in HOLDERS and args:
            return clean_arg(args[0])
        if name in ("values",) and short in ("Map", "MutableMap") and len(args) == 2:
            return f"Collection<{args[1]}>"
        if name in ("keys",) and short in ("Map", "MutableMap") and len(args) == 2:
            return f"Set<{args[0]}>"
        if short == "Pair" and len(args) == 2 and name in ("first", "second"):
            return clean_arg(args[0 if name == "first" else 1])
        if short == "IndexedValue" and args and name in ("value", "index"):
            return clean_arg(args[0]) if name == "value" else "Int"
        return None

    def call_parts(self, node):
        """(callee, [(name, value node)], [lambda nodes], type-argument node) of a call, with the
        trailing lambda of `f(a) { }` (parsed as a call of a call) joined to its call."""
        children = kids(node)
        callee = children[0] if children else None
        args, lambdas, targs = [], [], None
        for c in children[1:]:
            if c.type == "value_arguments":
                for a in kids(c, "value_argument"):
                    named = has_token(a, "=")
                    parts = kids(a)
                    name = ident(text(parts[0])) if named and parts else None
                    value = parts[-1] if parts else None
                    args.append((name, value))
            elif c.type == "annotated_lambda":
                lam = kid(c, "lambda_literal")
                if lam is not None:
                    lambdas.append(lam)
            elif c.type == "type_arguments":
                targs = c
        if callee is not None and callee.type == "call_expression" and not any(c.type == "value_arguments" for c in children[1:]):
            inner_callee, inner_args, inner_lambdas, inner_targs = self.call_parts(callee)
            self.handled.add(callee.id)
            return inner_callee, inner_args, inner_lambdas + lambdas, inner_targs
        return callee, args, lambdas, targs

    def call_type(self, node, scope: Scope) -> str | None:
        callee, args, lambdas, targs = self.call_parts(node)
        if callee is None:
            return None
        all_lambdas = lambdas + [v for _, v in args if v is not None and v.type == "lambda_literal"]
        if callee.type == "identifier":
            name = ident(text(callee))
            found, local = scope.lookup(name)
            if found:
                ft = function_type(local)
                return ft[2] if ft else None
            core = self.ctx.core_name(name)
            if core and f"ffi.{core}" in self.api.types:
                return f"ffi.{core}"
            if core and core in self.api.functions:
                return self.api.functions[core][0].type
            for recv in scope.receivers():
                ms = [m for m in self.find_members(recv, name) if m.kind == "fun"]
                if ms:
                    return self.fun_result(ms[0], lambdas, scope, args)
                if name in RETURNS_ELEMENT and element_of(recv):
                    return element_of(recv)
            if name in self.decls.types:
                return name if self.decls.types[name].kind != "object" else None
            if name in LAMBDA_RESULT and all_lambdas:
                return self.lambda_result(all_lambdas[-1], scope, None)
            if name in HOLDER_OF:
                first = args[0][1] if args else None
                if targs is not None:
                    inner = qualify(text(kid(targs)), self.ctx) if kid(targs) is not None else None
                else:
                    inner = self.infer(first, scope) if first is not None else None
                return f"{HOLDER_OF[name]}<{inner}>" if inner else None
            if name in ("emptyList", "mutableListOf", "emptySet", "emptyFlow") and targs is not None and kid(targs) is not None:
                return f"List<{qualify(text(kid(targs)), self.ctx)}>"
            top = [m for m in self.decls.top.get(name, []) if m.kind == "fun"]
            if top:
                return self.fun_result(top[0], lambdas, scope, args)
            return None
        if callee.type == "navigation_expression":
            target, op, member = self.navigation_parts(callee)
            if member is None:
                return None
            name = ident(text(member))
            owner = self.infer(target, scope)
            if owner is None:
                return None
            if owner.startswith("Type:"):
                tname = owner[5:]
                ms = self.find_members(tname, name, static=True)
                if ms:
                    m = ms[0]
                    if m.kind == "class":
                        return m.type[5:]
                    return self.fun_result(m, lambdas, scope, args) if m.kind == "fun" else None
                return None
            if name in SCOPE_IT | {"apply"}:
                if name in ("also", "apply"):
                    return owner
                if name in ("takeIf", "takeUnless"):
                    return strip_null(owner) + "?"
                return self.lambda_result(all_lambdas[-1], scope, [strip_null(owner)]) if all_lambdas else None
            if name == "run" and all_lambdas:
                return self.lambda_result(all_lambdas[-1], scope, None, this=strip_null(owner))
            ms = [m for m in self.find_members(owner, name) if m.kind == "fun"]
            if ms:
                return self.fun_result(ms[0], lambdas, scope, args)
            b, gargs = generic(owner)
            short = b.rsplit(".", 1)[-1] if b else ""
            elem = element_of(owner)
            if short in ("Map", "MutableMap") and len(gargs) == 2 and name in ("get", "getValue", "getOrDefault", "remove"):
                return clean_arg(gargs[1]) + ("?" if name in ("get", "remove") else "")
            if elem is not None:
                if name in RETURNS_ELEMENT:
                    return elem
                if name in RETURNS_NULLABLE_ELEMENT:
                    return strip_null(elem) + "?"
                if name in RETURNS_SAME or (short.endswith("Flow") and name in FLOW_SAME):
                    return owner if short not in ("StateFlow", "MutableStateFlow", "MutableSharedFlow", "SharedFlow") else f"Flow<{elem}>"
                if name in ("asStateFlow",):
                    return f"StateFlow<{elem}>"
                if name in ("collectAsState", "collectAsStateWithLifecycle"):
                    return f"State<{elem}>"
                if name == "withIndex":
                    return f"List<IndexedValue<{elem}>>"
                if name in ("map", "mapNotNull", "mapIndexed") and all_lambdas:
                    r = self.lambda_result(all_lambdas[-1], scope, [elem] if name != "mapIndexed" else ["Int", elem])
                    if r:
                        return f"List<{strip_null(r) if name == 'mapNotNull' else r}>"
                    return None
                if name == "toTypedArray":
                    return f"Array<{elem}>"
            if name in ("getOrNull", "getOrThrow") and short == "Result" and gargs:
                return clean_arg(gargs[0]) + ("?" if name == "getOrNull" else "")
            if name in ("await",) and short in ("Deferred", "CompletableDeferred") and gargs:
                return clean_arg(gargs[0])
            return None
        return None

    def fun_result(self, m: Member, lambdas, scope, args=()) -> str | None:
        if m.type is not None and strip_null(m.type) in m.type_params:
            # `fun <T> local(block: () -> T): T`: the result of the lambda passed;
            # `fun <T> owned(vm: T): T`: the argument's type.
            for i, p in enumerate(m.params or []):
                ft = function_type(p.type)
                if ft and ft[2] == m.type and lambdas:
                    return self.lambda_result(lambdas[-1], scope, None)
                if p.type == strip_null(m.type):
                    value = next((v for n, v in args if n == p.name), None)
                    if value is None and i < len(args) and args[i][0] is None:
                        value = args[i][1]
                    if value is not None:
                        return self.infer(value, scope)
            return None
        return self.member_type(m)

    def lambda_result(self, lam, scope: Scope, params, this=None) -> str | None:
        """The type of a lambda's last expression, its parameters typed."""
        inner = self.lambda_scope(lam, scope, params, this)
        body = kids(lam)
        body = [b for b in body if b.type not in ("lambda_parameters", "line_comment", "block_comment")]
        if not body:
            return None
        last = body[-1]
        if last.type == "statements":
            stmts = kids(last)
            last = stmts[-1] if stmts else None
        if last is None:
            return None
        # Names declared earlier in the lambda body.
        for b in body[:-1]:
            if b.type == "property_declaration":
                self.declare(b, inner, walk=False)
        return self.infer(last, inner)

    def delegate_type(self, expr, scope) -> str | None:
        t = self.infer(expr, scope)
        b, args = generic(t)
        if b and b.rsplit(".", 1)[-1] in HOLDERS and args:
            return clean_arg(args[0])
        return t if expr is not None and expr.type == "call_expression" and text(kid(expr)) in ("lazy", "remember") else None

    # -- scopes

    def lambda_scope(self, lam, scope: Scope, params, this=None) -> Scope:
        inner = Scope(scope, {}, this)
        lp = kid(lam, "lambda_parameters")
        declared = []
        if lp is not None:
            for c in kids(lp):
                if c.type == "variable_declaration":
                    n = kid(c, "identifier")
                    tnode = type_child(c)
                    declared.append(("var", ident(text(n)) if n is not None else "_",
                                     qualify(text(tnode), self.ctx) if tnode is not None else None))
                elif c.type == "multi_variable_declaration":
                    declared.append(("multi", c, None))
        if not declared and params != []:
            # `it` (unknown when the lambda's type is; a lambda known to take no parameter
            # leaves an outer `it` visible, as Kotlin does)
            inner.names["it"] = params[0] if params and len(params) == 1 else None
        for i, (kind, n, t) in enumerate(declared):
            ptype = t or (params[i] if params and i < len(params) else None)
            if kind == "var":
                inner.names[n] = ptype
            else:
                self.destructure(n, ptype, inner, check=True)
        return inner

    def destructure(self, multi, t: str | None, scope: Scope, check: bool):
        """`val (a, b) = record`: componentN of a data class are its constructor's properties."""
        names = [kid(v, "identifier") for v in kids(multi, "variable_declaration")]
        info = self.core(t)
        fields = []
        if info is not None and info.kind == "data" and info.ctors:
            fields = info.ctors[0]
            if check:
                if len(names) > len(fields):
                    self.missing(multi, f"{self.api.short(info.name)} has {len(fields)} fields, destructured into {len(names)}")
                else:
                    self.ok("field", f"{self.api.short(info.name)}.component{len(names)}", multi)
        elif self.shell(t) is not None and self.shell(t).ctors:
            fields = self.shell(t).ctors[0]
        b, args = generic(t)
        short = b.rsplit(".", 1)[-1] if b else ""
        for i, n in enumerate(names):
            if n is None:
                continue
            vt = None
            if fields and i < len(fields):
                vt = fields[i].type
            elif short in ("Pair", "Triple") and i < len(args):
                vt = clean_arg(args[i])
            elif short == "IndexedValue" and args:
                vt = "Int" if i == 0 else clean_arg(args[0])
            elif short in ("Entry", "MutableEntry") and i < len(args):
                vt = clean_arg(args[i])
            scope.names[ident(text(n))] = vt

    def declare(self, node, scope: Scope, walk=True):
        """A local `val`/`var`: its names enter the scope."""
        var = kid(node, "variable_declaration")
        multi = kid(node, "multi_variable_declaration")
        init = None
        seen_eq = False
        delegate = kid(node, "property_delegate")
        for c in node.children:
            if not c.is_named and c.type == "=":
                seen_eq = True
            elif seen_eq and c.is_named:
                init = c
                break
        if walk:
            if init is not None:
                self.walk(init, scope)
            if delegate is not None:
                self.walk(delegate, scope)
        if var is not None:
            n = kid(var, "identifier")
            tnode = type_child(var)
            if tnode is not None:
                t = qualify(text(tnode), self.ctx)
            elif delegate is not None:
                t = self.delegate_type(kid(delegate), scope)
            else:
                t = self.infer(init, scope)
            if n is not None:
                scope.names[ident(text(n))] = t
        elif multi is not None:
            self.destructure(multi, self.infer(init, scope), scope, check=walk)

    # -- the walk

    def check_file(self, src: Source, ctx: FileCtx):
        self.path, self.ctx = src.path, ctx
        root = src.tree.root_node
        for node in kids(root, "import"):
            self.check_import(node)
        self.walk(root, Scope(None, {}, None))

    def check_import(self, node):
        q = kid(node, "qualified_identifier")
        if q is None:
            return
        path = text(q)
        if not path.startswith(FFI_PACKAGE + "."):
            return
        name = path[len(FFI_PACKAGE) + 1:].split(".")
        ids = kids(q, "identifier")
        where = ids[len(FFI_PACKAGE.split("."))] if len(ids) > len(FFI_PACKAGE.split(".")) else q
        if name[0] in self.api.names and f"ffi.{name[0]}" in self.api.types or name[0] in self.api.functions:
            if len(name) > 1 and not self.find_members(f"ffi.{name[0]}", name[1], static=True):
                self.missing(where, f"import {path}: {name[0]} has no {name[1]} in the generated bindings")
                return
            self.ok("import", ".".join(name), where)
        else:
            self.missing(where, f"import {path}: no {name[0]} in the generated bindings"
                         + self.suggest(name[0], list(self.api.names) + list(self.api.functions)))

    def walk(self, node, scope: Scope):
        t = node.type
        if t in ("import", "package_header", "line_comment", "block_comment", "string_content"):
            return
        if t in ("class_declaration", "object_declaration", "object_literal", "companion_object"):
            self.class_like(node, scope)
            return
        if t == "function_declaration":
            self.function(node, scope)
            return
        if t in ("secondary_constructor", "anonymous_initializer", "getter", "setter"):
            params = value_parameters(kid(node, "function_value_parameters"), self.ctx)
            inner = Scope(scope, {p.name: p.type for p in params})
            for c in kids(node):
                self.walk(c, inner)
            return
        if t == "property_declaration":
            self.declare(node, scope)
            for c in kids(node, "getter", "setter"):
                self.walk(c, scope)
            return
        if t in ("block", "function_body", "control_structure_body", "statements", "class_body"):
            inner = Scope(scope)
            for c in kids(node):
                self.walk(c, inner)
            return
        if t == "lambda_literal":
            if node.id not in self.handled:
                self.handled.add(node.id)
                inner = self.lambda_scope(node, scope, None)
                for c in kids(node):
                    if c.type != "lambda_parameters":
                        self.walk(c, inner)
            return
        if t == "for_statement":
            self.for_statement(node, scope)
            return
        if t == "when_expression":
            self.when(node, scope)
            return
        if t == "if_expression":
            self.if_expression(node, scope)
            return
        if t == "catch_block":
            n = kid(node, "identifier")
            tnode = type_child(node)
            inner = Scope(scope, {ident(text(n)): qualify(text(tnode), self.ctx) if tnode is not None else None} if n is not None else {})
            for c in kids(node):
                self.walk(c, inner)
            return
        if t == "call_expression":
            if node.id not in self.handled:
                self.call(node, scope)
                return
        if t == "navigation_expression":
            self.navigation(node, scope)
        if t == "user_type":
            self.user_type(node)
            return
        for c in kids(node):
            self.walk(c, scope)

    def class_like(self, node, scope: Scope):
        name_node = node.child_by_field_name("name") or (kid(node, "identifier") if node.type != "object_literal" else None)
        supers, delegated = supertypes(node, self.ctx)
        if node.type == "object_literal":
            this = supers[0] if supers else None
        elif node.type == "companion_object":
            this = scope.this
        else:
            this = ident(text(name_node)) if name_node is not None else None
        self.conformance(node, name_node, supers, delegated)
        params, _ = class_parameters(kid(node, "primary_constructor"), self.ctx)
        inner = Scope(scope, {p.name: p.type for p in params}, this)
        for c in kids(node):
            if c.type in ("class_body", "enum_class_body"):
                for m in kids(c):
                    self.walk(m, inner)
            elif c.type == "primary_constructor":
                self.walk(c, inner)
            elif c.type == "delegation_specifiers":
                self.walk(c, scope)

    def function(self, node, scope: Scope):
        name, receiver, params, ret, tparams = function_parts(node, self.ctx)
        inner = Scope(scope, {p.name: (None if p.type in tparams else
                                       (f"List<{p.type}>" if p.vararg and p.type else p.type)) for p in params},
                      receiver)
        for c in kids(node):
            if c.type in ("function_body", "function_value_parameters"):
                self.walk(c, inner)

    def for_statement(self, node, scope: Scope):
        var = kid(node, "variable_declaration")
        multi = kid(node, "multi_variable_declaration")
        coll = next((c for c in kids(node) if c.type not in ("variable_declaration", "multi_variable_declaration", "block",
                                                                 "control_structure_body", "user_type")), None)
        if coll is not None:
            self.walk(coll, scope)
        elem = element_of(self.infer(coll, scope)) if coll is not None else None
        inner = Scope(scope)
        if var is not None:
            n = kid(var, "identifier")
            tnode = type_child(var)
            if n is not None:
                inner.names[ident(text(n))] = qualify(text(tnode), self.ctx) if tnode is not None else elem
        elif multi is not None:
            self.destructure(multi, elem, inner, check=True)
        for c in kids(node):
            if c != coll and c != var and c != multi:
                self.walk(c, inner)

    def when(self, node, scope: Scope):
        subject = kid(node, "when_subject")
        subject_name = None
        inner = Scope(scope)
        if subject is not None:
            var = kid(subject, "variable_declaration")
            expr = next((c for c in kids(subject) if c.type != "variable_declaration"), None)
            if expr is not None:
                self.walk(expr, scope)
            if var is not None:
                n = kid(var, "identifier")
                if n is not None:
                    subject_name = ident(text(n))
                    inner.names[subject_name] = self.infer(expr, scope)
            elif expr is not None and expr.type == "identifier":
                subject_name = ident(text(expr))
        for entry in kids(node, "when_entry"):
            conds = [c for f, c in ((entry.field_name_for_child(i), c) for i, c in enumerate(entry.children)) if f == "condition"]
            entry_scope = Scope(inner)
            tests = [c for c in conds if c.type == "type_test"]
            for c in conds:
                self.walk(c, inner)
            if subject_name and len(tests) == 1 and len(conds) == 1 and not has_token(tests[0], "!is"):
                tnode = type_child(tests[0])
                if tnode is not None:
                    entry_scope.names[subject_name] = qualify(text(tnode), self.ctx)
            for c in kids(entry):
                if c not in conds:
                    self.walk(c, entry_scope)

    def if_expression(self, node, scope: Scope):
        cond = node.child_by_field_name("condition")
        smart = Scope(scope)
        if cond is not None:
            self.walk(cond, scope)
            for test in self.and_terms(cond):
                if test.type == "is_expression" and not has_token(test, "!is"):
                    left, right = test.child_by_field_name("left"), test.child_by_field_name("right")
                    if left is not None and left.type == "identifier" and right is not None:
                        smart.names[ident(text(left))] = qualify(text(right), self.ctx)
        branches = [c for c in kids(node) if c != cond]
        for i, c in enumerate(branches):
            self.walk(c, smart if i == 0 else scope)

    def and_terms(self, node):
        if node.type == "binary_expression":
            op = node.child_by_field_name("operator")
            if op is not None and text(op) == "&&":
                return self.and_terms(node.child_by_field_name("left")) + self.and_terms(node.child_by_field_name("right"))
        if node.type == "parenthesized_expression" and kid(node) is not None:
            return self.and_terms(kid(node))
        return [node]

    # -- checks

    def user_type(self, node):
        """`ApiException.Offline` in `is`, `catch`, `as` and type arguments: the nested class exists."""
        ids = kids(node, "identifier")
        if len(ids) < 2:
            return
        first = ident(text(ids[0]))
        core = self.ctx.core_name(first)
        if first == "app" and text(node).replace(" ", "").startswith(FFI_PACKAGE + "."):
            ids = ids[3:]
            core = ident(text(ids[0])) if ids else None
        if not core or f"ffi.{core}" not in self.api.types:
            return
        owner = f"ffi.{core}"
        for n in ids[1:]:
            name = ident(text(n))
            if re.match(r"^[a-z]", name):
                return
            self.static_member(n, owner, name)
            ms = self.find_members(owner, name, static=True)
            if not ms or ms[0].kind != "class":
                return
            owner = ms[0].type[5:]

    def navigation(self, node, scope: Scope):
        if node.id in self.handled:
            return
        target, op, member = self.navigation_parts(node)
        if member is None or target is None:
            return
        name = ident(text(member))
        owner = self.infer(target, scope)
        if owner is None:
            return
        if owner.startswith("Type:"):
            if self.core(owner[5:]) is not None:
                self.static_member(member, owner[5:], name, callable_ref=op == "::")
            return
        info = self.core(owner)
        if info is None:
            return
        self.instance_member(member, info, name)

    def static_member(self, node, tname: str, name: str, callable_ref=False):
        info = self.api.types[tname] if tname in self.api.types else None
        if info is None:
            return None
        short = self.api.short(tname)
        if callable_ref and name in info.members:
            return self.instance_member(node, info, name)
        if name in STATIC_UNIVERSAL:
            return None
        ms = self.find_members(tname, name, static=True)
        if ms:
            m = ms[0]
            category = "case" if m.kind in ("entry", "class") else ("method" if m.kind == "fun" else "field")
            self.ok(category, f"{short}.{name}", node)
            return m
        if callable_ref:
            return self.instance_member(node, info, name)
        what = {"enum": "entry", "sealed": "subclass"}.get(info.kind, "member")
        candidates = [n for n, ms_ in info.members.items() if any(m.static or m.kind in ("entry", "class") for m in ms_)]
        self.missing(node, f"{short}.{name}: no such {what} in the generated bindings" + self.suggest(name, candidates))
        return None

    def instance_member(self, node, info: TypeInfo, name: str):
        short = self.api.short(info.name)
        ms = [m for m in self.find_members(info.name, name) if not m.static]
        if ms:
            m = ms[0]
            if m.ctx is not None and not m.ctx.is_bindings:
                return m  # the android code's own extension of a core type
            category = "method" if m.kind == "fun" else "field"
            self.ok(category, f"{short}.{name}", node)
            return m
        if name in UNIVERSAL or re.fullmatch(r"component\d+", name):
            return None
        has_methods = any(m.kind == "fun" and not m.static for ms_ in info.members.values() for m in ms_)
        what = "method" if info.kind in ("class", "interface") and has_methods else "field" if info.kind != "enum" else "member"
        candidates = [n for n, ms_ in info.members.items() if any(not m.static for m in ms_)]
        self.missing(node, f"{short}.{name}: no such {what} in the generated bindings" + self.suggest(name, candidates))
        return None

    def call(self, node, scope: Scope):
        callee, args, lambdas, targs = self.call_parts(node)
        if callee is None:
            return
        overloads, where, category, this = None, None, None, None
        lambda_param_types = None
        if callee.type == "identifier":
            name = ident(text(callee))
            found, local = scope.lookup(name)
            core = self.ctx.core_name(name) if not found else None
            if core and f"ffi.{core}" in self.api.types:
                info = self.api.types[f"ffi.{core}"]
                overloads = [Member("fun", "<init>", ps) for ps in info.ctors]
                where, category = core, "init"
                if info.kind == "data":
                    self.ok("init", core, callee)
            elif core and core in self.api.functions:
                overloads, where, category = self.api.functions[core], core, "function"
                self.ok("function", core, callee)
            else:
                shell_funs = []
                for recv in scope.receivers():
                    shell_funs = [m for m in self.find_members(recv, name) if m.kind == "fun"]
                    if shell_funs:
                        break
                if not shell_funs and not found:
                    shell_funs = [m for m in self.decls.top.get(name, []) if m.kind == "fun"]
                    if name in self.decls.types:
                        shell_funs = [Member("fun", "<init>", ps) for ps in self.decls.types[name].ctors]
                lambda_param_types = self.function_lambda_params(shell_funs, args, lambdas)
                positional = [v for n, v in args if n is None]
                if name in LIST_BUILDERS and positional:
                    # Compose's `items(xs, key = { it.id }) { x -> }`: each lambda gets the element.
                    elem = element_of(self.infer(positional[0], scope))
                    if elem is not None:
                        lambda_param_types = [["Int", elem] if name.endswith("Indexed") else [elem]]
                if name in SCOPE_THIS and name == "with" and args:
                    this = self.infer(args[0][1], scope)
                if found and function_type(local):
                    lambda_param_types = [function_type(local)[1]]
        elif callee.type == "navigation_expression":
            self.handled.add(callee.id)
            target, op, member = self.navigation_parts(callee)
            if target is not None:
                self.walk(target, scope)
            if member is not None and target is not None:
                name = ident(text(member))
                owner = self.infer(target, scope)
                if owner is not None and owner.startswith("Type:"):
                    tname = owner[5:]
                    if self.core(tname) is not None:
                        m = self.static_member(member, tname, name)
                        if m is not None and m.kind == "class":
                            nested = self.api.types.get(m.type[5:])
                            overloads = [Member("fun", "<init>", ps) for ps in (nested.ctors if nested else [])]
                            where, category = f"{self.api.short(tname)}.{name}", "init"
                        elif m is not None and m.kind == "fun":
                            overloads = self.find_members(tname, name, static=True)
                            where, category = f"{self.api.short(tname)}.{name}", "method"
                    elif self.shell(tname) is not None:
                        lambda_param_types = self.function_lambda_params(self.find_members(tname, name, static=True), args, lambdas)
                elif owner is not None and self.core(owner) is not None:
                    info = self.core(owner)
                    m = self.instance_member(member, info, name)
                    if m is not None and m.kind == "fun" and (m.ctx is None or m.ctx.is_bindings):
                        overloads = [x for x in self.find_members(info.name, name) if x.kind == "fun"]
                        where, category = f"{self.api.short(info.name)}.{name}", "method"
                    elif name == "copy" and info.kind == "data" and info.ctors:
                        overloads = [Member("fun", "copy", [Param(p.name, p.type, True) for p in info.ctors[0]])]
                        where, category = f"{self.api.short(info.name)}.copy", "init"
                    elif name in SCOPE_IT:
                        lambda_param_types = [[strip_null(owner)]]
                    elif name in SCOPE_THIS:
                        this = strip_null(owner)
                    elif m is not None:
                        lambda_param_types = self.function_lambda_params([m], args, lambdas)
                elif owner is not None:
                    elem = element_of(owner)
                    b, gargs = generic(owner)
                    short = b.rsplit(".", 1)[-1] if b else ""
                    if name in SCOPE_IT:
                        lambda_param_types = [[strip_null(owner)]]
                    elif name in SCOPE_THIS:
                        this = strip_null(owner)
                    elif name in ("update", "getAndUpdate", "updateAndGet") and short == "MutableStateFlow" and elem:
                        lambda_param_types = [[elem]]
                    elif name == "test" and elem is not None and short.endswith("Flow"):
                        this = f"ReceiveTurbine<{elem}>"  # Turbine: awaitItem() is the element
                    elif elem is not None and name in ELEMENT_LAMBDA:
                        if name in INDEXED:
                            lambda_param_types = [["Int", elem]]
                        elif name in ("fold",):
                            lambda_param_types = [[None, elem]]
                        elif name == "reduce":
                            lambda_param_types = [[elem, elem]]
                        else:
                            lambda_param_types = [[elem]]
                    elif short in ("Map", "MutableMap") and len(gargs) == 2 and name in ("forEach", "map", "filter", "any", "all", "count"):
                        lambda_param_types = [[f"Entry<{gargs[0]},{gargs[1]}>"]]
                    else:
                        ms = [m for m in self.find_members(owner, name) if m.kind == "fun"]
                        lambda_param_types = self.function_lambda_params(ms, args, lambdas)
                    # `xs.map(Record::field)`: the reference is to the element's member.
                    if elem is not None and self.core(elem) is not None:
                        for _, v in args:
                            if v is not None and v.type == "navigation_expression":
                                t2, op2, m2 = self.navigation_parts(v)
                                if op2 == "::" and m2 is not None and t2 is None:
                                    self.instance_member(m2, self.core(elem), ident(text(m2)))
        else:
            self.walk(callee, scope)
        # arguments
        for _, value in args:
            if value is None:
                continue
            if value.type == "lambda_literal" and lambda_param_types:
                self.walk_lambda(value, scope, lambda_param_types[0], this)
            else:
                self.walk(value, scope)
        for lam in lambdas:
            self.walk_lambda(lam, scope, lambda_param_types[0] if lambda_param_types else None, this)
        if targs is not None:
            self.walk(targs, scope)
        if not overloads:
            if category == "init" and where:
                self.missing(callee, f"{where}(...): no constructor in the generated bindings")
            return
        self.check_arguments(callee, where, category, overloads, args, lambdas)

    def walk_lambda(self, lam, scope: Scope, params, this):
        if lam.id in self.handled:
            return
        self.handled.add(lam.id)
        inner = self.lambda_scope(lam, scope, params, this)
        for c in kids(lam):
            if c.type != "lambda_parameters":
                self.walk(c, inner)

    def function_lambda_params(self, overloads, args, lambdas):
        """The parameter types the android code's own function gives the lambda passed to it."""
        for m in overloads or []:
            ps = m.params or []
            if lambdas and ps:
                ft = function_type(ps[-1].type)
                if ft:
                    return [[None if t in m.type_params else t for t in ft[1]]] if not ft[0] else [[None] * len(ft[1])]
            for name, value in args:
                if value is not None and value.type == "lambda_literal":
                    p = next((p for p in ps if p.name == name), None) if name else None
                    if p is None and not name:
                        idx = [v for _, v in args].index(value)
                        p = ps[idx] if idx < len(ps) else None
                    ft = function_type(p.type) if p else None
                    if ft:
                        return [[None if t in m.type_params else t for t in ft[1]]]
        return None

    def check_arguments(self, callee, where, category, overloads, args, lambdas):
        problems = []
        for m in overloads:
            problem = arguments_problem(m.params or [], args, len(lambdas))
            if problem is None:
                # (the call itself was counted where its name was checked)
                for name, _ in args:
                    if name:
                        self.ok(category, f"{where}({name}=)", callee)
                return
            problems.append(problem)
        sigs = " or ".join(f"({', '.join(p.name for p in (m.params or []))})" for m in overloads)
        self.missing(callee, f"{where}: {problems[0]}; the generated bindings have {where.split('.')[-1]}{sigs}")


def arguments_problem(params: list, args: list, n_lambdas: int) -> str | None:
    """Why a call's arguments do not fit a parameter list (Kotlin's rules), or None."""
    filled = [False] * len(params)
    pos = 0
    names = {p.name: i for i, p in enumerate(params)}
    for name, _ in args:
        if name is None:
            if pos < len(params) and params[pos].vararg:
                filled[pos] = True
                continue
            if pos >= len(params):
                return f"{len(args) + n_lambdas} arguments, more than the {len(params)} parameters"
            filled[pos] = True
            pos += 1
        else:
            if name not in names:
                return f"no parameter named {name}" + Checker.suggest(name, list(names))
            filled[names[name]] = True
    if n_lambdas:
        idx = len(params) - 1
        if idx < 0 or filled[idx]:
            return "a trailing lambda but no parameter left for it"
        filled[idx] = True
    for i, p in enumerate(params):
        if not filled[i] and not p.default and not p.vararg:
            return f"no argument for {p.name}"
    return None


# ---------------------------------------------------------------------------------------------
# Conformance to the core's foreign interfaces (SecretStore, LogSink, JobsObserver, and
# FieldworkAppInterface for wrappers): every override exists, every requirement is implemented.

def _conformance(self: Checker, node, name_node, supers, delegated):
    core_supers = [s for s in supers if s in self.api.types and self.api.types[s].kind == "interface"]
    if not core_supers:
        return
    body = kid(node, "class_body")
    overrides = []
    for m in kids(body) if body is not None else []:
        if m.type == "function_declaration" and "override" in modifiers_of(m):
            name, _, params, _, _ = function_parts(m, self.ctx)
            overrides.append((name, len(params), m.child_by_field_name("name") or m))
        elif m.type == "property_declaration" and "override" in modifiers_of(m):
            for name, _, _ in property_names(m):
                overrides.append((name, None, m))
    owner = ident(text(name_node)) if name_node is not None else "object"
    abstract = class_kind(node) in ("abstract", "interface", "sealed")
    others_unknown = any(s not in self.api.types for s in supers)
    for iface in core_supers:
        info = self.api.types[iface]
        short = self.api.short(iface)
        reqs = [m for ms in info.members.values() for m in ms if m.kind in ("fun", "val") and not m.static]
        for req in reqs:
            arity = len(req.params) if req.kind == "fun" else None
            hit = next((o for o in overrides if o[0] == req.name and o[1] == arity), None)
            if hit is not None:
                self.ok("conformance", f"{owner}: {short}.{req.signature()}", hit[2])
            elif iface not in delegated and not abstract:
                self.missing(name_node or node, f"{owner} implements {short} but has no {req.signature()}"
                             + self.suggest(req.name, [o[0] for o in overrides]))
    if others_unknown:
        return
    allowed = {m.name: m for i in core_supers for ms in self.api.types[i].members.values() for m in ms}
    for name, arity, where in overrides:
        if name in ("toString", "equals", "hashCode", "close", "destroy"):
            continue
        m = allowed.get(name)
        if m is None or (arity is not None and m.kind == "fun" and len(m.params or []) != arity):
            shorts = ", ".join(self.api.short(i) for i in core_supers)
            self.missing(where, f"{owner}.{name} overrides nothing in {shorts}"
                         + self.suggest(name, list(allowed)))


Checker.conformance = _conformance


# ---------------------------------------------------------------------------------------------
# strings.xml: the same names and format arguments in English and Chinese, every R.string the
# code names exists.

FORMAT_ARG = re.compile(r"%(\d+\$)?[-#+ 0,(]*\d*(?:\.\d+)?[sdfxXoeEgGc%]")


def read_strings(path: Path, root: Path) -> tuple[dict, list]:
    rel = path.relative_to(root)
    try:
        tree = ET.parse(path)
    except ET.ParseError as e:
        return {}, [f"{rel}: not valid XML: {e}"]
    entries, problems = {}, []
    for el in tree.getroot():
        if el.tag not in ("string", "plurals", "string-array"):
            continue
        name = el.get("name")
        if name is None:
            problems.append(f"{rel}: a <{el.tag}> without a name")
            continue
        if el.get("translatable") == "false":
            entries.setdefault(name, None)
            continue
        if name in entries:
            problems.append(f"{rel}: {name} defined twice")
        body = "".join(el.itertext())
        args = sorted({m.group(0) for m in FORMAT_ARG.finditer(body) if m.group(0) != "%%"})
        entries[name] = (el.tag, args)
    return entries, problems


def check_strings(android: Path, root: Path, sources: list) -> tuple[list, list]:
    problems, checked = [], []
    modules = sorted({p.parents[4] for p in android.glob("*/src/main/res/values/strings.xml")})
    defined: dict[str, set] = {}
    languages: dict[str, set] = {}
    for module in modules:
        res = module / "src" / "main" / "res"
        tables = sorted(res.glob("values*/strings.xml"))
        keysets = {}
        for t in tables:
            entries, errors = read_strings(t, root)
            problems += errors
            keysets[t.parent.name] = entries
        base = keysets.get("values", {})
        defined[module.name] = set(base)
        for lang, entries in keysets.items():
            if lang == "values":
                continue
            translatable = {k for k, v in base.items() if v is not None}
            for k in sorted(translatable - set(entries)):
                problems.append(f"{module.name}/{lang}: no translation of {k} (values/ has it)")
            for k in sorted(set(entries) - set(base)):
                problems.append(f"{module.name}/values: no {k} ({lang} has it)")
            for k in sorted(translatable & set(entries)):
                if entries[k] is not None and base[k][1] != entries[k][1]:
                    problems.append(f"{module.name}/{lang}: {k} has format arguments {entries[k][1]}, values/ has {base[k][1]}")
        checked.append(f"{module.name} ({', '.join(sorted(keysets))}: {len(base)} names)")
        languages[module.name] = set(keysets)
    # Library and app resources merge into one table: a name in two modules means one of the
    # texts silently replaces the other.
    for a in sorted(defined):
        for b in sorted(defined):
            if a < b:
                for k in sorted(defined[a] & defined[b]):
                    problems.append(f"{k} is in both {a}/ and {b}/ strings.xml (merged, one replaces the other)")
    everywhere = set().union(*languages.values()) if languages else set()
    for module, langs in sorted(languages.items()):
        for lang in sorted(everywhere - langs):
            problems.append(f"{module}: no {lang}/strings.xml (another module has one)")
    # Every R.string.x the code names, in the module whose R it is (nonTransitiveRClass): the
    # :app code's R is app.fieldwork.app.R unless it imports another module's R.
    for src in sources:
        rel = Path(src.path).relative_to(android.relative_to(root)) if src.path.startswith(str(android.relative_to(root))) else None
        if rel is None:
            continue
        module = rel.parts[0]
        imports_ui_r = "import app.fieldwork.ui.R\n" in src.text
        owner = "ui" if module in ("ui", "jvm") or imports_ui_r else module
        if owner not in defined:
            continue
        for n, line in enumerate(src.text.split("\n"), 1):
            for m in re.finditer(r"\bR\.string\.(\w+)", line):
                if m.group(1) not in defined[owner]:
                    problems.append(f"{src.path}:{n}: R.string.{m.group(1)} is not in {owner}/src/main/res/values/strings.xml")
    for manifest in android.glob("*/src/main/AndroidManifest.xml"):
        everything = set().union(*defined.values()) if defined else set()
        for n, line in enumerate(manifest.read_text().split("\n"), 1):
            for m in re.finditer(r"@string/(\w+)", line):
                if m.group(1) not in everything:
                    problems.append(f"{manifest.relative_to(root)}:{n}: @string/{m.group(1)} is in no module's strings.xml")
    return problems, checked


# ---------------------------------------------------------------------------------------------
# Running


def android_sources(android: Path) -> list[Path]:
    out = []
    for p in sorted(list(android.rglob("*.kt")) + list(android.rglob("*.kts"))):
        rel = p.relative_to(android).parts
        if any(part in SKIP_DIRS for part in rel[:-1]):
            continue
        out.append(p)
    return out


def analyse(api: Api, sources: list) -> Checker:
    decls = Decls()
    contexts = {}
    for src in sources:
        ctx = file_context(src, api.names)
        contexts[src.path] = ctx
        if src.path.endswith(".kt"):
            collect(src, ctx, decls, public_only=False)
    checker = Checker(api, decls)
    for src in sources:
        try:
            checker.check_file(src, contexts[src.path])
        except Exception as e:  # a construct the resolver mishandles: fail loudly, name the file
            checker.findings.append(Finding(src.path, 1, f"ktcheck could not check this file ({type(e).__name__}: {e}): "
                                                         "a bug in android/scripts/ktcheck.py"))
    return checker


def load_api(bindings: Path, root: Path) -> tuple[Api, Source]:
    name = str(bindings.relative_to(root)) if bindings.is_relative_to(root) else str(bindings)
    generated = parse(name, bindings.read_text())
    return Api(generated), generated


def run(android: Path, bindings: Path, root: Path, verbose: bool = False) -> int:
    failures = []
    api, generated = load_api(bindings, root)
    files = android_sources(android)
    sources = [parse(str(p.relative_to(root)), p.read_text()) for p in files]
    syntax = [e for e in (syntax_error(s) for s in sources + [generated]) if e]
    rewrites = sum(s.rewrites for s in sources + [generated])
    print(f"syntax: {len(sources)} .kt/.kts files under {android.relative_to(root)}/ and the generated {bindings.name} "
          f"parsed with tree-sitter-kotlin ({rewrites} grammar workarounds applied)")
    if syntax:
        print(f"syntax: {len(syntax)} file(s) with errors:")
        for e in syntax:
            print(f"  {e}")
        failures.append("syntax")

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
    strings, modules = check_strings(android, root, sources)
    print(f"strings: {'; '.join(modules)}" + (" agree, and hold every R.string the code names" if not strings else ""))
    if strings:
        for p in strings:
            print(f"  {p}")
        failures.append("strings")
    if verbose:
        print("drift: every checked use:")
        for line in checker.checked:
            print(f"  {line}")
    app = api.types.get("ffi.FieldworkApp")
    if app is not None:
        unused = sorted(n for n, ms in app.members.items() if f"FieldworkApp.{n}" not in checker.used
                        and f"FieldworkAppInterface.{n}" not in checker.used and not n.startswith("uniffi")
                        and ms[0].kind == "fun" and n not in UNIVERSAL)
        if unused:
            print(f"drift: FieldworkApp methods no Kotlin code calls (not an error): {', '.join(unused)}")
    return 1 if failures else 0


# ---------------------------------------------------------------------------------------------
# Self-test: real uses, renamed in memory, must each be reported. The uses are taken from what
# the check itself saw in the unchanged code (up to three per category, from different files),
# so the self-test follows the code as it changes.

PER_CATEGORY = 3


def mutate(src_text: str, line: int, col: int, category: str, what: str):
    """Renames the use `what` reported at `line`; returns the new text and the text the finding
    must contain."""
    lines = src_text.split("\n")
    idx = line - 1
    if category == "import":
        name = what.split(".")[-1]
        m = re.search(r"(?<=\.)" + re.escape(name) + r"\b", lines[idx])
        if not m:
            return None
        lines[idx] = lines[idx][:m.start()] + name + "Zz" + lines[idx][m.end():]
        return "\n".join(lines), f"{name}Zz"
    if category == "function":
        if not re.search(rf"\b{re.escape(what)}\b", src_text):
            return None
        return re.sub(rf"\b{re.escape(what)}\b", what + "Zz", src_text), f"{what}Zz"
    m_named = re.fullmatch(r"(.+)\((\w+)=\)", what)
    if m_named:
        # a named argument: rename its label on this line or the next ones
        label = m_named.group(2)
        rest = "\n".join(lines[idx:])
        m = re.search(rf"\b{re.escape(label)}\s*=(?!=)", rest)
        if not m:
            return None
        rest = rest[:m.start()] + label + "Zz" + rest[m.start() + len(label):]
        return "\n".join(lines[:idx] + [rest]), f"no parameter named {label}Zz"
    if category == "init":
        # a constructor call: add an argument no constructor has
        name = what.split(".")[-1]
        m = re.search(rf"\b{re.escape(name)}\(", lines[idx])
        if not m:
            return None
        lines[idx] = lines[idx][:m.end()] + "zz = 0, " + lines[idx][m.end():]
        return "\n".join(lines), "no parameter named zz"
    tname, _, member = what.partition(".")
    if re.fullmatch(r"component\d+", member):
        return None
    # the use is the name at the reported column (tree-sitter counts bytes)
    start = len(lines[idx].encode()[:col - 1].decode(errors="ignore"))
    m = re.compile(re.escape(member) + r"(?!\w)").match(lines[idx], start)
    if not m:
        return None
    lines[idx] = lines[idx][:m.start()] + member + "Zz" + lines[idx][m.end():]
    return "\n".join(lines), f"{tname}.{member}Zz"


def self_test(android: Path, bindings: Path, root: Path) -> int:
    api, _ = load_api(bindings, root)
    files = {str(p.relative_to(root)): p.read_text() for p in android_sources(android)}
    parsed = {k: parse(k, v) for k, v in files.items()}

    def check(changed: dict) -> Checker:
        return analyse(api, [parse(k, changed[k]) if k in changed else parsed[k] for k in files])

    baseline = check({})
    if baseline.findings:
        print("self-test: the unchanged code has findings (fix those first)")
        return 1
    picked: dict[str, list] = {}
    for entry in baseline.checked:
        where, _, rest = entry.partition(": ")
        path, line, col = where.rsplit(":", 2)
        category, _, what = rest.partition(" ")
        chosen = picked.setdefault(category, [])
        if len(chosen) < PER_CATEGORY and path not in [c[0] for c in chosen] and what not in [c[2] for c in chosen]:
            chosen.append((path, int(line), what, int(col)))
    failed, tried = 0, 0
    for category in CATEGORIES:
        for path, line, what, col in picked.get(category, []):
            if category == "conformance":
                # `Type: Interface.requirement(params)`: rename the implementing function.
                name = what.split(": ", 1)[1].split(".", 1)[1].split("(", 1)[0]
                pattern = rf"(override\s+(?:suspend\s+)?fun\s+){re.escape(name)}\b"
                if not re.search(pattern, files[path]):
                    pattern = rf"(override\s+va[lr]\s+){re.escape(name)}\b"
                    if not re.search(pattern, files[path]):
                        continue
                changed = {path: re.sub(pattern, rf"\g<1>{name}Zz", files[path], count=1)}
                # a missing requirement, or (where the interface is delegated) an override of nothing
                expect = (f"has no {name}", f"{name}Zz overrides nothing")
            else:
                mutated = mutate(files[path], line, col, category, what)
                if mutated is None:
                    continue
                changed, expect = {path: mutated[0]}, (mutated[1],)
            tried += 1
            got = [str(f) for f in check(changed).findings]
            if not any(e in g for g in got for e in expect):
                failed += 1
                print(f"self-test: {category} {what} at {path}:{line} changed, but not reported (wanted {expect!r}); findings: {got}")
    # A syntax error in the first file must be found.
    first = next(k for k in files if k.endswith(".kt"))
    broken = parse(first, files[first][::-1].replace("}", "", 1)[::-1])
    tried += 1
    if syntax_error(broken) is None:
        failed += 1
        print(f"self-test: deleting the last brace of {first} was not reported as a syntax error")
    missing = [c for c in REQUIRED_CATEGORIES if not picked.get(c)]
    if missing:
        failed += 1
        print(f"self-test: no {', '.join(missing)} use to rename")
    print(f"self-test: {tried - failed} of {tried} changed uses caught"
          + (f", {failed} FAILED" if failed else " (" + ", ".join(f"{len(picked.get(c, []))} {c}" for c in CATEGORIES) + ", a deleted brace)"))
    return 1 if failed else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--android", type=Path, default=Path(__file__).resolve().parent.parent)
    ap.add_argument("--bindings", required=True, type=Path, help="the generated fieldwork_ffi.kt")
    ap.add_argument("--self-test", action="store_true")
    ap.add_argument("--verbose", action="store_true", help="list every checked use")
    args = ap.parse_args()
    android, bindings = args.android.resolve(), args.bindings.resolve()
    root = android.parent
    if args.self_test:
        return self_test(android, bindings, root)
    return run(android, bindings, root, args.verbose)


if __name__ == "__main__":
    sys.exit(main())
