"""Reading the hub's YAML config files: a key given twice in one mapping is refused.

PyYAML's loaders let the second value of a repeated key silently replace the first (a
binding pasted twice, a field mapped twice). Every config file the hub reads (the
municipalities', the request forms, the demo catalogues) is read here instead, and each
repeated key is named with its YAML path and both lines.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_MERGE = "tag:yaml.org,2002:merge"


class DuplicateKeyError(ConstructorError):
    """One or more mappings repeat a key; `duplicates` holds `(path, message)` of each."""

    def __init__(self, duplicates: list[tuple[str, str]]) -> None:
        self.duplicates = duplicates
        super().__init__(None, None, "; ".join(f"{key}: {message}" for key, message in duplicates))


class UniqueKeyLoader(yaml.SafeLoader):
    """`yaml.SafeLoader` that raises `DuplicateKeyError` on a repeated mapping key."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        duplicates = list(_repeated(node, ()))
        if duplicates:
            raise DuplicateKeyError(duplicates)
        return super().construct_mapping(node, deep=deep)


def _path(parts: tuple[str | int, ...]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else ("." if text else "") + part
    return text or "(file)"


def _repeated(node: MappingNode, at: tuple[str | int, ...]) -> Iterator[tuple[str, str]]:
    """The keys repeated in this one mapping (not in the mappings it holds)."""
    first: dict[str, int] = {}
    for key_node, _ in node.value:
        if not isinstance(key_node, ScalarNode) or key_node.tag == _MERGE:
            continue
        key, line = str(key_node.value), key_node.start_mark.line + 1
        if key in first:
            yield (
                _path((*at, key)),
                f"expected each key once in a mapping, found '{key}' again on line {line} "
                f"(first on line {first[key]})",
            )
        else:
            first[key] = line


def _every_repeated(node: Node, at: tuple[str | int, ...]) -> Iterator[tuple[str, str]]:
    if isinstance(node, MappingNode):
        yield from _repeated(node, at)
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, ScalarNode) else "?"
            yield from _every_repeated(value_node, (*at, key))
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            yield from _every_repeated(item, (*at, index))


def load_unique(text: str) -> Any:
    """The document in `text`, or `DuplicateKeyError` naming every repeated key (with its
    YAML path) at once; other YAML errors as `yaml.safe_load` raises them."""
    loader = UniqueKeyLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        duplicates = list(_every_repeated(node, ()))
        if duplicates:
            raise DuplicateKeyError(duplicates)
        return loader.construct_document(node)
    finally:
        loader.dispose()
