# SPDX-License-Identifier: MIT
"""Tokenizer fixtures (see reference.py): HF `tokenizers` built from the GGUF vocabulary with
SmolLM2's own tokenizer.json layout (BPE; Digits(individual_digits) + ByteLevel pre-tokenizer;
ByteLevel decoder; the control tokens as special added tokens), and a plain-ByteLevel ("gpt2"
flavour) twin of it, plus >= 1000 varied strings and their ids under both."""
import json
import os
import random

import gguf
from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers

SEED = 1234
N_RANDOM = 1100


def gguf_vocab(path):
    r = gguf.GGUFReader(path)
    f = r.fields
    tokens = f["tokenizer.ggml.tokens"].contents()
    merges = [tuple(m.split(" ", 1)) for m in f["tokenizer.ggml.merges"].contents()]
    types = f["tokenizer.ggml.token_type"].contents()
    eos = f["tokenizer.ggml.eos_token_id"].contents()
    bos = f["tokenizer.ggml.bos_token_id"].contents()
    return tokens, merges, types, bos, eos


def build(tokens, merges, types, digits):
    vocab = {t: i for i, t in enumerate(tokens)}
    tok = Tokenizer(models.BPE(vocab, merges))
    byte_level = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    if digits:
        tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True),
                                                     byte_level])
    else:
        tok.pre_tokenizer = byte_level
    tok.decoder = decoders.ByteLevel()
    tok.add_special_tokens([AddedToken(tokens[i], special=True, normalized=False)
                            for i, t in enumerate(types) if t == 3])
    return tok


FIXED = [
    "", " ", "  ", "   ", "\n", "\n\n", " \n ", "\t\t", "\r\n", "a\r\nb", "Hello world",
    "hello   world", " leading", "trailing ", "trailing   ", "it's", "IT'S", "they're", "we've",
    "I'm", "you'll", "he'd", "'s", "'", "''", "don't", "x's'", "12345", "3.14159", "1,000,000",
    "year 2024!", "x²+y²=z²", "½ cup", "٣٤٥ Arabic-Indic", "Ⅻ roman", "日本語のテキストです。",
    "한국어 텍스트", "Ελληνικά κείμενα", "Русский текст", "עברית", "العربية", "हिन्दी", "ไทย",
    "emoji 😀🎉👍🏽", "👨‍👩‍👧‍👦 family", "🇫🇷🇩🇪", "café naïve coöperate", "e\u0301", "Å\u030a",
    "def f(x):\n    return x ** 2\n", "for (int i = 0; i < n; ++i) {\n\tsum += a[i];\n}",
    "if x == 1 and y != 2:\n        pass", "    indented\n        more", "<html><body>hi</body></html>",
    "<|im_start|>user\nhi<|im_end|>\n", "<|endoftext|>", "a<|im_end|>b", "<|im_start|><|im_start|>",
    "<|im_start", "\u00a0nbsp\u00a0", "ideographic\u3000space", "line\u2028sep", "thin\u2009space",
    "\u200bzero width", "\ufeffBOM", "tab\tseparated\tvalues", "multiple\n\n\nnewlines",
    "   \n   \n", "!!!???...", "--- ___ ***", "$100.00 €50 £20 ¥1000", "user@example.com",
    "https://example.com/path?q=1&b=2#frag", "C:\\Users\\name\\file.txt", "snake_case_name",
    "camelCaseName", "SCREAMING_CASE", "a1b2c3", "0x1F 0b1010 1e-9", "α=0.5, β₂=0.95",
    "∑_{i=1}^{n} x_i", "→ ⇒ ∀ ∃", "\x00\x01\x1f control", "\x7f del", "ℌ𝔢𝔩𝔩𝔬 math letters",
    "𝟘𝟙𝟚 math digits", "ǅ titlecase", "ſ long s", "ß ẞ", "İstanbul", "ﬁ ligature",
]

POOLS = {
    "ascii": "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "digits": "0123456789",
    "udigits": "٠١٢٣٤٥٦٧٨٩०१२३४५६७८९²³¹¼½¾Ⅰ Ⅱ Ⅲ①②③𝟙",
    "space": [" ", " ", " ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u3000", "\u2009", "\u2028",
              "\x0b", "\x0c", "\x85", "\x1c"],
    "punct": "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~¡¿«»–—…“”‘’•·§¶†‡",
    "latin": "àáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿĀāĂăĄąĆćČčĎďĒēĘęĚěĞğĪīİıŁłŃńŇňŌōŐőŒœŘřŚśŞşŠšŢţŤťŪūŮůŰűŸŹźŻżŽž",
    "greek": "αβγδεζηθικλμνξοπρστυφχψωΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩάέήίόύώ",
    "cyrillic": "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ",
    "cjk": "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坏兴",
    "hangul": "가나다라마바사아자차카타파하한국어글",
    "arabic": "ابتثجحخدذرزسشصضطظعغفقكلمنهوي",
    "devanagari": "अआइईउऊएऐओऔकखगघचछजझटठडढतथदधनपफबभमयरलवशसह्ािीुूेैोौं",
    "thai": "กขคงจฉชซญดตถทธนบปผพฟภมยรลวศษสหอฮะาิีึืุูเแโใไ",
    "emoji": ["😀", "🎉", "👍", "👍🏽", "❤️", "🔥", "🚀", "🤖", "👨‍💻", "👩‍👩‍👧", "🇯🇵", "✅", "⭐", "🙂"],
    "combining": ["\u0301", "\u0308", "\u0327", "\u0303", "\u20dd", "\u200d", "\ufe0f"],
    "code": ["def ", "return ", "if (", ") {", "}\n", "    ", "\t", "=>", "==", "!=", "++", "->",
             "::", "#include <", ">", "std::vector<int>", "print(", ")", "self.", "x_1", "__init__",
             "0x", "//", "/*", "*/", "'\\n'", "\"", "f\"{x}\"", "[i]", "λ"],
    "contractions": ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'RE", "’s"],
    "special": ["<|im_start|>", "<|im_end|>", "<|endoftext|>", "<file_sep>", "<|im_", "|>"],
}


def random_string(rng):
    kinds = list(POOLS)
    weights = [8, 4, 1, 5, 4, 2, 1, 1, 1, 1, 1, 1, 1, 2, 1, 3, 2, 1]
    n = rng.choice([1, 2, 3, 5, 8, 13, 21, 40])
    parts = []
    for _ in range(n):
        pool = POOLS[rng.choices(kinds, weights)[0]]
        if isinstance(pool, str):
            parts.append("".join(rng.choice(pool) for _ in range(rng.randint(1, 9))))
        else:
            parts.append(rng.choice(pool))
    return "".join(parts)


def strings():
    rng = random.Random(SEED)
    out = list(FIXED)
    out += [random_string(rng) for _ in range(N_RANDOM)]
    # Long runs stress the merge loop and the whitespace look-ahead.
    out += ["a" * 300, " " * 200 + "x", "\n" * 50, "9" * 120, "ab " * 150, "😀" * 60]
    return out


def run(out, smollm_path):
    tokens, merges, types, bos, eos = gguf_vocab(smollm_path)
    result = {}
    cases = {"bos": int(bos), "eos": int(eos), "flavours": {}}
    texts = strings()
    for flavour, digits in (("smollm2", True), ("gpt2flavour", False)):
        tok = build(tokens, merges, types, digits)
        d = os.path.join(out, f"{flavour}_tok")
        os.makedirs(d, exist_ok=True)
        tok.save(os.path.join(d, "tokenizer.json"))
        rows = []
        for t in texts:
            tok.encode_special_tokens = True
            plain = tok.encode(t, add_special_tokens=False).ids
            tok.encode_special_tokens = False
            special = tok.encode(t, add_special_tokens=False).ids
            pieces = [p for p, _ in tok.pre_tokenizer.pre_tokenize_str(t)]
            rows.append({"ids": plain, "ids_special": special,
                         "decoded": tok.decode(plain, skip_special_tokens=False),
                         "decoded_skip": tok.decode(special, skip_special_tokens=True),
                         "pieces": len(pieces)})
        cases["flavours"][flavour] = rows
        result[flavour] = len(rows)
    cases["texts"] = texts
    with open(os.path.join(out, "tokenizer_cases.json"), "w", encoding="utf-8") as f:
        json.dump(cases, f, ensure_ascii=False)
    result["chat"] = run_chat(out, smollm_path)
    return result


CHATS = [
    [{"role": "user", "content": "Rephrase: The cat sat on the mat."}],
    [{"role": "system", "content": "You rewrite text."}, {"role": "user", "content": "Hello\nworld"}],
    [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello! How can I help?"},
     {"role": "user", "content": "Tell me a joke 🙂"}],
    [{"role": "user", "content": ""}],
]


def run_chat(out, path):
    """SmolLM2's chat template from the GGUF, rendered by transformers' own Jinja renderer."""
    from transformers.utils.chat_template_utils import render_jinja_template
    r = gguf.GGUFReader(path)
    template = r.fields["tokenizer.chat_template"].contents()
    rows = []
    for chat in CHATS:
        for gen in (True, False):
            rendered = render_jinja_template(conversations=[chat], chat_template=template,
                                             add_generation_prompt=gen)[0][0]
            rows.append({"messages": chat, "add_generation_prompt": gen, "text": rendered})
    with open(os.path.join(out, "chat_cases.json"), "w", encoding="utf-8") as f:
        json.dump(rows, f, ensure_ascii=False, indent=1)
    return len(rows)
