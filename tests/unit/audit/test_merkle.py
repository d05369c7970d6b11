"""Our Merkle code against RFC 6962's known answers (certificate transparency's test vectors)."""

from __future__ import annotations

import pytest

from models.merkle import (
    EMPTY_ROOT,
    audit_path,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    leaf_hashes,
    levels_root,
    next_level,
    node_hash,
    root,
    tree_levels,
    verify_consistency,
    verify_inclusion,
)

LEAF_DATA = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
]
LEAVES = [leaf_hash(bytes.fromhex(d)) for d in LEAF_DATA]
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
INCLUSION = {
    (0, 8): [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    (5, 8): [
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
}
CONSISTENCY = {
    (2, 8): [
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    (6, 8): [
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
    (2, 5): [
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
}


def test_the_empty_tree_hashes_to_sha256_of_nothing():
    assert root([]) == EMPTY_ROOT
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


@pytest.mark.parametrize("size", range(1, 9))
def test_tree_heads_match_the_reference_roots(size):
    assert root(LEAVES[:size]).hex() == ROOTS[size - 1]


@pytest.mark.parametrize(("index", "size"), INCLUSION)
def test_inclusion_proofs_match_and_verify(index, size):
    proof = inclusion_proof(LEAVES[:size], index)
    assert [node.hex() for node in proof] == INCLUSION[(index, size)]
    assert verify_inclusion(LEAVES[index], index, size, proof, bytes.fromhex(ROOTS[size - 1]))


@pytest.mark.parametrize(("old", "new"), CONSISTENCY)
def test_consistency_proofs_match_and_verify(old, new):
    proof = consistency_proof(LEAVES[:new], old)
    assert [node.hex() for node in proof] == CONSISTENCY[(old, new)]
    old_root, new_root = bytes.fromhex(ROOTS[old - 1]), bytes.fromhex(ROOTS[new - 1])
    assert verify_consistency(old, new, old_root, new_root, proof)


def flip_bit(node: bytes, bit: int) -> bytes:
    return node[: bit // 8] + bytes([node[bit // 8] ^ (1 << bit % 8)]) + node[bit // 8 + 1 :]


def corrupted_inclusions(index, size, proof):
    yield "index - 1", index - 1, size, proof
    yield "index + 1", index + 1, size, proof
    yield "index xor 2", index ^ 2, size, proof
    # Wrong tree height, as the reference verifier's own probes do; a size off by one can
    # share the exact path shape (leaf 0 of 3 and of 4), so the checkpointed (size, root)
    # pair, not the proof, is what binds the size.
    yield "size * 2", index, size * 2, proof
    yield "size // 2", index, size // 2, proof
    yield "empty proof", index, size, []
    for position in range(len(proof)):
        flipped = list(proof)
        flipped[position] = flip_bit(proof[position], 7 * position + 3)
        yield f"bit flipped in node {position}", index, size, flipped
        yield f"node {position} dropped", index, size, proof[:position] + proof[position + 1 :]
    yield "extra node at the end", index, size, [*proof, LEAVES[0]]
    yield "extra node at the start", index, size, [LEAVES[0], *proof]


@pytest.mark.parametrize("size", range(1, 9))
def test_every_corrupted_inclusion_proof_is_rejected(size):
    tree_root = bytes.fromhex(ROOTS[size - 1])
    for index in range(size):
        proof = inclusion_proof(LEAVES[:size], index)
        assert verify_inclusion(LEAVES[index], index, size, proof, tree_root)
        assert not verify_inclusion(flip_bit(LEAVES[index], 0), index, size, proof, tree_root)
        for name, bad_index, bad_size, bad_proof in corrupted_inclusions(index, size, proof):
            if (bad_index, bad_size, bad_proof) == (index, size, proof):
                continue
            assert not verify_inclusion(LEAVES[index], bad_index, bad_size, bad_proof, tree_root), (
                f"accepted: {name} (leaf {index} of {size})"
            )


def test_every_corrupted_consistency_proof_is_rejected():
    for new in range(2, 9):
        for old in range(1, new):
            proof = consistency_proof(LEAVES[:new], old)
            old_root, new_root = root(LEAVES[:old]), root(LEAVES[:new])
            assert verify_consistency(old, new, old_root, new_root, proof)
            candidates = [
                (old - 1, new, proof),
                (old + 1, new, proof),
                (old ^ 2, new, proof),
                (old, new * 2, proof),
                (old, new // 2, proof),
                (old, new, []),
                (old, new, [*proof, LEAVES[0]]),
            ]
            for position in range(len(proof)):
                candidates.append((old, new, proof[:position] + proof[position + 1 :]))
                flipped = list(proof)
                flipped[position] = flip_bit(proof[position], 11)
                candidates.append((old, new, flipped))
            for bad_old, bad_new, bad_proof in candidates:
                if (bad_old, bad_new, bad_proof) == (old, new, proof):
                    continue
                assert not verify_consistency(bad_old, bad_new, old_root, new_root, bad_proof), (
                    f"accepted a corrupted proof {old}->{new} as {bad_old}->{bad_new}"
                )
            assert not verify_consistency(old, new, flip_bit(old_root, 1), new_root, proof)
            assert not verify_consistency(old, new, old_root, flip_bit(new_root, 1), proof)


def test_proofs_of_every_leaf_verify_in_larger_trees():
    leaves = [leaf_hash(i.to_bytes(2, "big")) for i in range(70)]
    for size in (1, 2, 3, 31, 32, 33, 64, 70):
        tree_root = root(leaves[:size])
        for index in range(size):
            proof = inclusion_proof(leaves[:size], index)
            assert verify_inclusion(leaves[index], index, size, proof, tree_root)
        for old in range(1, size + 1):
            proof = consistency_proof(leaves[:size], old)
            assert verify_consistency(old, size, root(leaves[:old]), tree_root, proof)


def test_node_hash_is_prefixed_with_0x01():
    assert node_hash(LEAVES[0], LEAVES[1]).hex() == ROOTS[1]


@pytest.mark.parametrize("size", range(0, 40))
def test_paths_read_off_the_levels_are_the_rfc_inclusion_proofs(size):
    leaves = [leaf_hash(str(i).encode()) for i in range(size)]
    levels = tree_levels(leaves)
    assert levels[0] == leaves
    assert levels_root(levels) == root(leaves)
    for index in range(size):
        assert audit_path(levels, index) == inclusion_proof(leaves, index)


def test_many_leaves_hash_as_each_alone_and_leave_the_shared_context_untouched():
    datas = [bytes.fromhex(h) for h in LEAF_DATA] + ["Mérimée".encode(), b"\x00" * 5000]
    assert leaf_hashes(datas) == [leaf_hash(d) for d in datas]
    assert leaf_hashes(iter(datas)) == leaf_hashes(datas)  # again, from a generator
    assert leaf_hashes([]) == []


@pytest.mark.parametrize("size", range(1, 12))
def test_each_level_hashes_its_pairs_as_node_hash_and_promotes_an_odd_last_node(size):
    level = [leaf_hash(str(i).encode()) for i in range(size)]
    expected = [node_hash(level[i], level[i + 1]) for i in range(0, size - 1, 2)]
    if size % 2:
        expected.append(level[-1])
    assert next_level(level) == expected
    assert next_level(tuple(level)) == expected
