"""One YAML file per local government: its identity, contact data and source bindings.

Loading is all-or-nothing: every file is validated and every problem is reported as
``file: key: what was expected, what was found`` before anything starts.
"""

from __future__ import annotations

import dataclasses
import enum
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from connectors.base import BindingConfig, Connector, SourceConfig
from connectors.config_errors import explain
from connectors.config_yaml import DuplicateKeyError, load_unique
from connectors.errors import ConnectorConfigError
from connectors.mapping import MappedBindingConfig, mapping_problems, unmapped_required
from connectors.reads import RequestReader
from connectors.registry import ConnectorRegistry, UnknownConnectorKind, default_registry
from connectors.secrets import describe_found
from connectors.text import fold
from connectors.types import Capability

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


#: The provinces' names: data (connectors/provinces.yaml), not texts to translate.
_PROVINCES = Path(__file__).with_name("provinces.yaml")


def _provinces() -> list[tuple[str, str]]:
    """`(MEMBER_NAME, name)` of each province: `ELIAS_PINA` for "Elías Piña"."""
    names: list[str] = yaml.safe_load(_PROVINCES.read_text(encoding="utf-8"))
    return [(fold(name).upper().replace(" ", "_"), name) for name in names]


#: The 31 provinces and the Distrito Nacional (mypy cannot see members read from a file).
Province = enum.StrEnum("Province", _provinces(), module=__name__)  # type: ignore[misc]


class MunicipalityKind(enum.StrEnum):
    AYUNTAMIENTO = "ayuntamiento"
    JUNTA_DISTRITO = "junta_distrito"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Contact(_Strict):
    address: str = Field(min_length=3)
    phone: str = Field(pattern=r"^\+?[0-9 ()\-]{7,20}$")
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")
    website: str | None = Field(default=None, pattern=r"^https?://")
    hours: str | None = None


class ParentRef(_Strict):
    """The municipality a junta de distrito belongs to; it need not be onboarded yet."""

    id: str = Field(pattern=SLUG.pattern)
    one_code: str = Field(pattern=r"^\d{4}$")
    name: str = Field(min_length=2)


class MunicipalityFile(_Strict):
    """The shape of `config/municipalities/<id>.yaml`."""

    id: str = Field(pattern=SLUG.pattern, description="Slug, also the file's name.")
    one_code: str = Field(
        description="ONE territorial code: 4 digits (province + municipality) for an "
        "ayuntamiento, 6 digits (+ district) for a junta de distrito municipal."
    )
    short_code: str = Field(pattern=r"^[A-Z]{2,4}$", description="Used in tracking numbers.")
    name: str = Field(min_length=2)
    kind: MunicipalityKind
    province: Province
    parent: ParentRef | None = None
    contact: Contact
    demo: bool = Field(default=False, description="True for the demo data set.")
    procurement_unit: str | None = Field(
        default=None,
        pattern=r"^[0-9]{1,10}$",
        description="Its unidad de compras number at the DGCP: the buyer of its contracting "
        "processes is DO-UC-<number>. Required when `procurement` is bound.",
    )
    sources: dict[str, dict[str, Any]] = Field(min_length=1)
    bindings: dict[Capability, dict[str, Any]] = Field(default_factory=dict)

    @field_validator("one_code")
    @classmethod
    def _one_code_digits(cls, value: str) -> str:
        if not re.fullmatch(r"\d{4}|\d{6}", value):
            raise ValueError("a ONE territorial code of 4 or 6 digits")
        return value


@dataclasses.dataclass(frozen=True, slots=True)
class ConfigProblem:
    file: str
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.key}: {self.message}"


class InvalidConfiguration(ConnectorConfigError):
    """Raised when any municipality file is wrong; holds every problem found."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclasses.dataclass(frozen=True, slots=True)
class Municipality:
    """A validated local government with its sources' and bindings' typed configs."""

    file: MunicipalityFile
    path: Path
    sources: Mapping[str, SourceConfig]
    bindings: Mapping[Capability, BindingConfig]
    #: Read-only request sources (`bindings.request_lookups`), in the order they are asked.
    request_lookups: tuple[BindingConfig, ...] = ()

    @property
    def id(self) -> str:
        return self.file.id


def _format_key(loc: Iterable[int | str]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts) or "(file)"


def problems_from_validation(
    exc: ValidationError, file: str, prefix: tuple[str | int, ...], model: type[BaseModel]
) -> list[ConfigProblem]:
    """Each of a validator's errors as `file: key: expected …, found …` (`config_errors`)."""
    return [ConfigProblem(file, key, message) for key, message in explain(exc, model, prefix)]


def read_yaml_file(path: Path, display: str) -> tuple[Any, list[ConfigProblem]]:
    """A config file's document, or its problems: not YAML, a key given twice, unreadable."""
    try:
        return load_unique(path.read_text(encoding="utf-8")), []
    except DuplicateKeyError as exc:
        return None, [ConfigProblem(display, key, message) for key, message in exc.duplicates]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "(file)"
        return None, [ConfigProblem(display, where, f"expected valid YAML, found: {exc}")]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [ConfigProblem(display, "(file)", f"expected a readable UTF-8 file: {exc}")]


_VARIABLE = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)(?::-([^}]*))?\}")


def _interpolate(
    node: Any, loc: tuple[str | int, ...], shown: str, problems: list[ConfigProblem]
) -> Any:
    """Replace `${NAME}` / `${NAME:-default}` in strings with environment values.

    For what differs between deployments (hosts, ports, paths), not for secrets: those go
    by `{"$env": NAME}` reference and are resolved only where they are used.
    """
    if isinstance(node, dict):
        return {k: _interpolate(v, (*loc, str(k)), shown, problems) for k, v in node.items()}
    if isinstance(node, list):
        return [_interpolate(v, (*loc, i), shown, problems) for i, v in enumerate(node)]
    if not isinstance(node, str) or "${" not in node:
        return node

    def substitute(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        value = os.environ.get(name, default)
        if value is None:
            problems.append(
                ConfigProblem(
                    shown,
                    _format_key(loc),
                    f"expected environment variable {name} "
                    "to be set (or a default: ${" + name + ":-value}), found it unset",
                )
            )
            return ""
        return value

    return _VARIABLE.sub(substitute, node)


def load_file(
    path: Path, registry: ConnectorRegistry = default_registry, display: str | None = None
) -> tuple[Municipality | None, list[ConfigProblem]]:
    """Validate one file; returns the municipality or the problems, never both."""
    shown = display or str(path)
    raw, problems = read_yaml_file(path, shown)
    if problems:
        return None, problems
    if not isinstance(raw, dict):
        return None, [
            ConfigProblem(shown, "(file)", f"expected a mapping, found {type(raw).__name__}")
        ]
    # Every problem of the file in one run: an unset variable, a wrong top-level key or a
    # wrong source does not hide the problems of the rest.
    raw = _interpolate(raw, (), shown, problems)
    unset = list(problems)
    raw_lookups = _take_lookups(raw)
    problems.extend(_unoffered_capabilities(raw, registry, shown))
    try:
        parsed = MunicipalityFile.model_validate(raw)
        problems.extend(_check_identity(parsed, path, shown))
        if Capability.PROCUREMENT in parsed.bindings and parsed.procurement_unit is None:
            problems.append(
                ConfigProblem(
                    shown,
                    "procurement_unit",
                    'expected its unidad de compras number (e.g. "1234") when `procurement` '
                    "is bound, found nothing",
                )
            )
    except ValidationError as exc:
        problems.extend(problems_from_validation(exc, shown, (), MunicipalityFile))
        parsed = _readable_part(raw)
    sources: dict[str, SourceConfig] = {}
    kinds: dict[str, type[Connector]] = {}
    for name, source in parsed.sources.items():
        key_prefix: tuple[str | int, ...] = ("sources", name)
        kind = source.get("connector")
        if not isinstance(kind, str):
            problems.append(
                ConfigProblem(
                    shown,
                    _format_key((*key_prefix, "connector")),
                    f"expected a connector kind ({', '.join(registry.known_kinds())}), "
                    f"found {describe_found('connector', kind)}",
                )
            )
            continue
        try:
            connector_class = registry.get(kind)
        except UnknownConnectorKind as exc:
            problems.append(
                ConfigProblem(
                    shown,
                    _format_key((*key_prefix, "connector")),
                    f"expected one of: {', '.join(exc.known)}, found '{kind}'",
                )
            )
            continue
        kinds[name] = connector_class  # its bindings are checked even if it is wrong
        try:
            sources[name] = connector_class.config_model.model_validate(source)
        except ValidationError as exc:
            problems.extend(
                problems_from_validation(exc, shown, key_prefix, connector_class.config_model)
            )

    bindings: dict[Capability, BindingConfig] = {}
    for capability, binding in parsed.bindings.items():
        key_prefix = ("bindings", capability.value)
        source_name = binding.get("source")
        if source_name not in parsed.sources:
            problems.append(
                ConfigProblem(
                    shown,
                    _format_key((*key_prefix, "source")),
                    f"expected the name of a declared source "
                    f"({', '.join(parsed.sources)}), found {source_name!r}",
                )
            )
            continue
        connector_class_or_none = kinds.get(str(source_name))
        if connector_class_or_none is None:
            continue  # the source itself is already reported
        if capability not in connector_class_or_none.capabilities:
            offered = ", ".join(sorted(c.value for c in connector_class_or_none.capabilities))
            problems.append(
                ConfigProblem(
                    shown,
                    _format_key(key_prefix),
                    f"expected a capability the '{connector_class_or_none.kind}' "
                    f"connector offers ({offered}), found '{capability.value}'",
                )
            )
            continue
        model = connector_class_or_none.binding_model_for(capability)
        try:
            validated = model.model_validate(binding)
        except ValidationError as exc:
            problems.extend(problems_from_validation(exc, shown, key_prefix, model))
            fields = binding.get("fields")
            if issubclass(model, MappedBindingConfig) and capability is not Capability.REQUESTS:
                problems.extend(
                    ConfigProblem(shown, _format_key((*key_prefix, *key.split("."))), message)
                    for key, message in unmapped_required(
                        capability, fields if isinstance(fields, dict) else {}
                    )
                )
            continue
        # A `requests` binding maps outwards (the writer's model checks its own mapping).
        mapping = (
            [] if capability is Capability.REQUESTS else mapping_problems(capability, validated)
        )
        problems.extend(
            ConfigProblem(shown, _format_key((*key_prefix, *key.split("."))), message)
            for key, message in mapping
        )
        bindings[capability] = validated
        problems.extend(_buyer_problems(capability, validated, parsed, key_prefix, shown))
    lookups = _load_lookups(raw_lookups, parsed, kinds, shown, problems)
    if problems:
        # What an unset variable left empty is reported once, as the variable.
        keys = {p.key for p in unset}
        return None, [p for p in problems if p in unset or not _under(p.key, keys)]
    return Municipality(parsed, path, sources, bindings, lookups), []


def _buyer_problems(
    capability: Capability,
    config: BindingConfig,
    parsed: MunicipalityFile,
    key_prefix: tuple[str | int, ...],
    shown: str,
) -> list[ConfigProblem]:
    """A procurement binding that names its buyer (the `ocds` kind's `buyer`) must name the
    file's own unidad de compras: another buyer would publish someone else's processes."""
    buyer = getattr(config, "buyer", None)
    unit = parsed.procurement_unit
    if capability is not Capability.PROCUREMENT or buyer is None or unit is None:
        return []
    if buyer == f"DO-UC-{unit}":
        return []
    return [
        ConfigProblem(
            shown,
            _format_key((*key_prefix, "buyer")),
            f"expected DO-UC-{unit} (its procurement_unit), found {buyer!r}",
        )
    ]


def _under(key: str, prefixes: set[str]) -> bool:
    return any(key == p or key.startswith((p + ".", p + "[")) for p in prefixes)


def _offered(registry: ConnectorRegistry) -> list[str]:
    """The capabilities some connector kind offers: only those may be bound."""
    offered: set[Capability] = set()
    for kind in registry.known_kinds():
        try:
            offered |= registry.get(kind).capabilities
        except ConnectorConfigError:
            continue  # a broken plug-in is reported where a source names it
    return sorted(c.value for c in offered)


def _unoffered_capabilities(
    raw: dict[str, Any], registry: ConnectorRegistry, shown: str
) -> list[ConfigProblem]:
    """A binding of a capability nothing offers (`budget` before any kind reads budgets):
    named with the list of those that can be bound, and taken out of `raw`."""
    bindings = raw.get("bindings")
    if not isinstance(bindings, dict):
        return []
    offered = _offered(registry)
    unknown = [name for name in bindings if str(name) not in offered]
    for name in unknown:
        del bindings[name]
    return [
        ConfigProblem(
            shown,
            _format_key(("bindings", str(name))),
            f"expected a capability a connector offers ({', '.join(offered)}), found '{name}'",
        )
        for name in unknown
    ]


def _readable_part(raw: dict[str, Any]) -> MunicipalityFile:
    """The sources and bindings of a file whose other keys are wrong, unvalidated, so
    that their own problems are reported in the same run (nothing is started from it)."""
    sources = raw.get("sources")
    bindings = raw.get("bindings")
    readable: dict[str, Any] = {
        "sources": {
            str(k): v
            for k, v in (sources.items() if isinstance(sources, dict) else ())
            if isinstance(v, dict)
        },
        "bindings": {
            Capability(k): v
            for k, v in (bindings.items() if isinstance(bindings, dict) else ())
            if k in set(Capability) and isinstance(v, dict)
        },
    }
    return MunicipalityFile.model_construct(**readable)


def _check_identity(parsed: MunicipalityFile, path: Path, shown: str) -> list[ConfigProblem]:
    problems = []
    if path.stem != parsed.id:
        problems.append(
            ConfigProblem(
                shown, "id", f"expected the file's name ('{path.stem}'), found '{parsed.id}'"
            )
        )
    if parsed.kind is MunicipalityKind.AYUNTAMIENTO:
        if parsed.parent is not None:
            problems.append(
                ConfigProblem(shown, "parent", "expected no parent for an ayuntamiento, found one")
            )
        if len(parsed.one_code) != 4:
            problems.append(
                ConfigProblem(
                    shown,
                    "one_code",
                    f"expected 4 digits for an ayuntamiento, found '{parsed.one_code}'",
                )
            )
    else:
        if parsed.parent is None:
            problems.append(
                ConfigProblem(
                    shown,
                    "parent",
                    "expected the parent municipality of a junta "
                    "de distrito (id, one_code, name), found nothing",
                )
            )
        elif not (len(parsed.one_code) == 6 and parsed.one_code.startswith(parsed.parent.one_code)):
            problems.append(
                ConfigProblem(
                    shown,
                    "one_code",
                    f"expected 6 digits starting with the parent's "
                    f"code '{parsed.parent.one_code}', found '{parsed.one_code}'",
                )
            )
    return problems


def load_directory(
    directory: Path, registry: ConnectorRegistry = default_registry
) -> dict[str, Municipality]:
    """Load every `*.yaml` in `directory`, or raise `InvalidConfiguration` with all problems."""
    problems: list[ConfigProblem] = []
    if not directory.is_dir():
        raise InvalidConfiguration(
            [
                ConfigProblem(
                    str(directory),
                    "(directory)",
                    "expected a directory of municipality files, found nothing there",
                )
            ]
        )
    paths = sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml"))
    if not paths:
        raise InvalidConfiguration(
            [
                ConfigProblem(
                    str(directory),
                    "(directory)",
                    "expected at least one <id>.yaml file, found none",
                )
            ]
        )
    loaded: dict[str, Municipality] = {}
    seen_codes: dict[str, str] = {}
    seen_short: dict[str, str] = {}
    for path in paths:
        municipality, file_problems = load_file(path, registry)
        problems.extend(file_problems)
        if municipality is None:
            continue
        data = municipality.file
        for value, seen, key in (
            (data.one_code, seen_codes, "one_code"),
            (data.short_code, seen_short, "short_code"),
        ):
            if value in seen:
                problems.append(
                    ConfigProblem(
                        str(path),
                        key,
                        f"expected a unique value, found '{value}', already used by {seen[value]}",
                    )
                )
            seen[value] = path.name
        loaded[data.id] = municipality
    for municipality in loaded.values():
        parent = municipality.file.parent
        if parent is not None and parent.id in loaded:
            actual = loaded[parent.id].file
            if actual.one_code != parent.one_code:
                problems.append(
                    ConfigProblem(
                        str(municipality.path),
                        "parent.one_code",
                        f"expected '{actual.one_code}' (from {parent.id}.yaml), "
                        f"found '{parent.one_code}'",
                    )
                )
    if problems:
        raise InvalidConfiguration(problems)
    return loaded


# ------------------------------------------------------------------ request lookups

_LOOKUPS = "request_lookups"


def _take_lookups(raw: dict[str, Any]) -> Any:
    """`bindings.request_lookups` is a list of read-only request sources, not a capability:
    taken out before the bindings are validated, checked by `_load_lookups`."""
    bindings = raw.get("bindings")
    if not isinstance(bindings, dict) or _LOOKUPS not in bindings:
        return None
    bindings = dict(bindings)
    taken = bindings.pop(_LOOKUPS)
    raw["bindings"] = bindings
    return [] if taken is None else taken


def _load_lookups(
    raw: Any,
    parsed: MunicipalityFile,
    kinds: Mapping[str, type[Connector]],
    shown: str,
    problems: list[ConfigProblem],
) -> tuple[BindingConfig, ...]:
    """Each `request_lookups` entry validated against its source kind's lookup model."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.append(
            ConfigProblem(
                shown,
                f"bindings.{_LOOKUPS}",
                f"expected a list of request sources, found {type(raw).__name__}",
            )
        )
        return ()
    lookups: list[BindingConfig] = []
    for index, entry in enumerate(raw):
        prefix: tuple[str | int, ...] = ("bindings", _LOOKUPS, index)
        if not isinstance(entry, dict):
            problems.append(
                ConfigProblem(
                    shown,
                    _format_key(prefix),
                    f"expected a mapping (source, tracking_pattern, …), "
                    f"found {type(entry).__name__}",
                )
            )
            continue
        source_name = entry.get("source")
        if source_name not in parsed.sources:
            problems.append(
                ConfigProblem(
                    shown,
                    _format_key((*prefix, "source")),
                    f"expected the name of a declared source "
                    f"({', '.join(parsed.sources)}), found {source_name!r}",
                )
            )
            continue
        kind = kinds.get(str(source_name))
        if kind is None:
            continue  # the source itself is already reported
        if not issubclass(kind, RequestReader):
            problems.append(
                ConfigProblem(
                    shown,
                    _format_key((*prefix, "source")),
                    f"expected a source whose kind can look requests up (sql, soap), "
                    f"found '{kind.kind}'",
                )
            )
            continue
        try:
            lookups.append(kind.lookup_model.model_validate(entry))
        except ValidationError as exc:
            problems.extend(problems_from_validation(exc, shown, prefix, kind.lookup_model))
    return tuple(lookups)
