"""Merkle trees as in RFC 6962 (section 2.1): tree heads, levels, inclusion and consistency
proofs.

Leaf hash ``SHA-256(0x00 || d)``, node hash ``SHA-256(0x01 || left || right)``, the empty tree
hashes to ``SHA-256()``, and a tree of n > 1 leaves splits at the largest power of two smaller
than n. Verification follows RFC 9162 section 2.1.3.2 and 2.1.4.2, which accept exactly the
proofs RFC 6962's generation produces; any corruption (index, size, a bit, a dropped or extra
node) is rejected.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

# The leaf and node hashes and the RFC 9162 verification are the standalone verifier's, the
# script every audit dossier ships: grantflow and an auditor check proofs with the same code.
from models.dossier_verifier import leaf_hash, node_hash, verify_consistency, verify_inclusion

__all__ = [
    "EMPTY_ROOT",
    "Hash",
    "audit_path",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "leaf_hashes",
    "levels_root",
    "next_level",
    "node_hash",
    "prefix_root",
    "root",
    "tree_levels",
    "verify_consistency",
    "verify_inclusion",
]

Hash = bytes
EMPTY_ROOT: Hash = hashlib.sha256(b"").digest()


def _split(size: int) -> int:
    """The largest power of two strictly smaller than ``size`` (size > 1)."""
    return 1 << ((size - 1).bit_length() - 1)


# Each hash starts from a context that has already taken its one-byte prefix: copying it is
# cheaper than making a context (OpenSSL looks the digest up for each new one), so many leaves
# or nodes hash faster than one ``hashlib.sha256`` call each (measured in
# benchmarks/audit_verify.py).
_LEAF_PREFIXED = hashlib.sha256(b"\x00")
_NODE_PREFIXED = hashlib.sha256(b"\x01")


def leaf_hashes(datas: Iterable[bytes]) -> list[Hash]:
    """``leaf_hash`` of each leaf's data, in order."""
    hashes = []
    append, fresh = hashes.append, _LEAF_PREFIXED.copy
    for data in datas:
        context = fresh()
        context.update(data)
        append(context.digest())
    return hashes


def next_level(level: Sequence[Hash]) -> list[Hash]:
    """The level above ``level``: pairs hashed left to right (``node_hash``), an odd last node
    promoted unchanged.

    Reducing level by level this way yields exactly the RFC 6962 shape (left subtrees are
    complete, of power-of-two size).
    """
    above = []
    append, fresh = above.append, _NODE_PREFIXED.copy
    for left, right in zip(level[0::2], level[1::2], strict=False):
        context = fresh()
        context.update(left)
        context.update(right)
        append(context.digest())
    if len(level) % 2:
        above.append(level[-1])
    return above


def root(leaves: Sequence[Hash]) -> Hash:
    """The tree head over leaf hashes (iterative, so a million leaves need no deep recursion)."""
    if not leaves:
        return EMPTY_ROOT
    level = list(leaves)
    while len(level) > 1:
        level = next_level(level)
    return level[0]


def tree_levels(leaves: Sequence[Hash]) -> list[list[Hash]]:
    """Every level of the tree, leaves first and the root last (just the leaves when fewer
    than two); build it once to read many audit paths off it."""
    levels = [list(leaves)]
    while len(levels[-1]) > 1:
        levels.append(next_level(levels[-1]))
    return levels


def levels_root(levels: Sequence[Sequence[Hash]]) -> Hash:
    """The tree head of prebuilt ``tree_levels``."""
    return levels[-1][0] if levels[-1] else EMPTY_ROOT


def prefix_root(levels: Sequence[Sequence[Hash]], size: int) -> Hash:
    """The tree head of the first ``size`` leaves, read off prebuilt ``tree_levels`` in
    O(log n): the complete subtrees that ``size`` decomposes into (one per bit, largest
    first, each a node of the levels) hashed together right to left, as RFC 6962's split."""
    if not 0 <= size <= len(levels[0]):
        raise ValueError(f"no prefix of size {size} in a tree of {len(levels[0])}")
    if size == 0:
        return EMPTY_ROOT
    nodes = []
    offset = 0
    for height in range(size.bit_length() - 1, -1, -1):
        if size >> height & 1:
            nodes.append(levels[height][offset >> height])
            offset += 1 << height
    head = nodes.pop()
    while nodes:
        head = node_hash(nodes.pop(), head)
    return head


def audit_path(levels: Sequence[Sequence[Hash]], index: int) -> list[Hash]:
    """RFC 6962 PATH(index, D[n]) read off prebuilt ``tree_levels``: O(log n) per leaf, the
    same nodes as ``inclusion_proof(leaves, index)``."""
    path = []
    for level in levels[:-1]:
        sibling = index ^ 1
        if sibling < len(level):
            path.append(level[sibling])
        index >>= 1
    return path


def inclusion_proof(leaves: Sequence[Hash], index: int) -> list[Hash]:
    """RFC 6962 PATH(m, D[n]): the audit path of leaf ``index``."""
    if not 0 <= index < len(leaves):
        raise ValueError(f"leaf {index} is not in a tree of {len(leaves)}")
    if len(leaves) == 1:
        return []
    k = _split(len(leaves))
    if index < k:
        return inclusion_proof(leaves[:k], index) + [root(leaves[k:])]
    return inclusion_proof(leaves[k:], index - k) + [root(leaves[:k])]


def consistency_proof(leaves: Sequence[Hash], old_size: int) -> list[Hash]:
    """RFC 6962 PROOF(m, D[n]): that the first ``old_size`` leaves are a prefix of the tree."""
    if not 0 < old_size <= len(leaves):
        raise ValueError(f"no consistency proof from size {old_size} to {len(leaves)}")
    return _subproof(old_size, leaves, True)


def _subproof(m: int, leaves: Sequence[Hash], complete: bool) -> list[Hash]:
    n = len(leaves)
    if m == n:
        return [] if complete else [root(leaves)]
    k = _split(n)
    if m <= k:
        return _subproof(m, leaves[:k], complete) + [root(leaves[k:])]
    return _subproof(m - k, leaves[k:], False) + [root(leaves[:k])]
