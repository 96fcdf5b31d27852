"""course_lib.text: the shipped surnames, the vocabulary, the split and the two layouts models read."""

import hashlib
import subprocess
import sys
import tarfile

import numpy as np
import pytest

from course_lib import text
from course_lib.losses import PAD
from course_lib.text import Vocabulary, context_pairs, load_surnames, padded_sequences, split_words

VOCAB = Vocabulary()


def test_the_shipped_corpus_is_the_census_list_and_its_digest_is_pinned() -> None:
    words = load_surnames()
    assert hashlib.sha256(text.SURNAMES.read_bytes()).hexdigest() == text.SURNAMES_SHA256
    assert len(words) == len(set(words)) == 88_799
    assert words[:3] == ["smith", "johnson", "williams"]
    assert {len(w) for w in words} == set(range(2, 14))
    assert set("".join(words)) == set(text.LETTERS)


def test_a_changed_corpus_file_is_refused(tmp_path, monkeypatch) -> None:
    copy = tmp_path / "surnames.txt"
    copy.write_text("smith\n")
    monkeypatch.setattr(text, "SURNAMES", copy)
    with pytest.raises(ValueError, match="SHA-256 .* the file was changed"):
        load_surnames()


def test_the_regeneration_tool_rebuilds_the_shipped_file_from_an_archive(tmp_path, monkeypatch) -> None:
    sys.path.insert(0, "tools")
    try:
        import make_surnames
    finally:
        sys.path.remove("tools")
    folder = tmp_path / "names-0.3.0" / "names"
    folder.mkdir(parents=True)
    (folder / "dist.all.last").write_text("SMITH          1.006  1.006      1\nNG   0.001 90.0 2\n")
    archive = tmp_path / "names-0.3.0.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(tmp_path / "names-0.3.0", arcname="names-0.3.0")
    with pytest.raises(SystemExit, match="expected 726e4625"):  # not the real archive: refused
        make_surnames.surnames_from(archive)
    monkeypatch.setattr(make_surnames, "ARCHIVE_SHA256", hashlib.sha256(archive.read_bytes()).hexdigest())
    assert make_surnames.surnames_from(archive) == ["smith", "ng"]


def test_the_tool_runs_from_the_command_line_help() -> None:
    command = [sys.executable, "tools/make_surnames.py", "--help"]
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0 and "names-0.3.0.tar.gz" in done.stdout


def test_vocabulary_round_trip_and_errors() -> None:
    assert len(VOCAB) == 27 and VOCAB.symbols[0] == "."
    ids = VOCAB.encode("ada")
    assert ids.tolist() == [1, 4, 1] and ids.dtype == np.int64
    assert VOCAB.decode([1, 4, 1, 0]) == "ada." and VOCAB.decode(np.array([], np.int64)) == ""
    with pytest.raises(ValueError, match=r"'é' in 'josé' is not one of the 27 symbols.*Lower-case"):
        VOCAB.encode("josé")
    with pytest.raises(ValueError, match=r"ids must lie in \[0, 27\), got values from 0 to 27"):
        VOCAB.decode([0, 27])
    with pytest.raises(TypeError, match="integer ids"):
        VOCAB.decode(np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="distinct"):
        Vocabulary("aa")


def test_split_is_of_words_disjoint_seeded_and_sized() -> None:
    words = load_surnames()
    split = split_words(words)
    assert (len(split.train), len(split.val), len(split.test)) == (71_039, 8_880, 8_880)
    assert sorted(split.train + split.val + split.test) == sorted(words)
    assert split == split_words(words, seed=0) and split.train != split_words(words, seed=1).train
    with pytest.raises(ValueError, match="leave a part empty"):
        split_words(words[:3])


def test_padded_sequences_shift_by_one_and_mask_the_padding() -> None:
    inputs, targets, mask = padded_sequences(["ab", "c"], VOCAB)
    assert inputs.tolist() == [[0, 1, 2], [0, 3, 0]]
    assert targets.tolist() == [[1, 2, 0], [3, 0, PAD]]
    assert mask.tolist() == [[True, True, True], [True, True, False]]
    assert padded_sequences(["ab"], VOCAB, length=5)[1].tolist() == [[1, 2, 0, PAD, PAD]]
    with pytest.raises(ValueError, match="too short for a word of 2 characters"):
        padded_sequences(["ab"], VOCAB, length=2)


def test_context_pairs_are_every_event_of_every_word_in_order() -> None:
    x, y = context_pairs(["ada", "b"], VOCAB, 2)
    assert x.tolist() == [[0, 0], [0, 1], [1, 4], [4, 1], [0, 0], [0, 2]]
    assert y.tolist() == [1, 4, 1, 0, 2, 0]
    words = split_words(load_surnames()).val
    for k in (1, 3, 6):
        x, y = context_pairs(words, VOCAB, k)
        assert x.shape == (sum(len(w) + 1 for w in words), k) and len(y) == len(x)
    # the long way, one word at a time, for the first few words
    rows = []
    for word in words[:50]:
        ids = [0] * 3 + VOCAB.encode(word).tolist() + [0]
        rows += [ids[t : t + 4] for t in range(len(word) + 1)]
    x, y = context_pairs(words[:50], VOCAB, 3)
    assert np.array_equal(np.column_stack([x, y]), np.array(rows))
    with pytest.raises(ValueError, match="positive integer"):
        context_pairs(words, VOCAB, 0)
