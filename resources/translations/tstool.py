#!/usr/bin/env python3
"""tdkube's translation files (Qt Linguist .ts), for update.sh and the tests:

  tstool.py english-plurals tdkube_en.ts [overrides.tsv]
      Fills the English plural forms of every %n string: "word(s)" becomes "word" for one and
      "words" otherwise ("(es)" likewise); overrides.tsv (context, source, singular, plural) for the rest.
  tstool.py export tdkube_zh_CN.ts out.tsv
      Writes the unfinished messages: context, source, comment, numerus (yes/no), one per line.
  tstool.py import tdkube_zh_CN.ts in.tsv...
      Takes translations (context, source, comment, translation) into the .ts and marks them finished.
  tstool.py check tdkube_zh_CN.ts
      Exit 1, listing them, when a message is unfinished or its translation loses or adds a
      placeholder (%1..%99, %n) or a `quoted command`.

In the TSV files a tab, a newline and a backslash in a text are written \\t, \\n and \\\\.
"""
import re
import sys
import xml.etree.ElementTree as ET


def unescape(text):
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            out.append({"t": "\t", "n": "\n", "\\": "\\"}.get(text[i + 1], "\\" + text[i + 1]))
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def escape(text):
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def messages(tree):
    for context in tree.getroot().iter("context"):
        name = context.findtext("name")
        for message in context.iter("message"):
            yield name, message


def key(context, message):
    return (context, message.findtext("source") or "", message.findtext("comment") or "")


def write(tree, path):
    tree.write(path, encoding="utf-8", xml_declaration=True)


def english_plurals(path, overrides_path=None):
    overrides = {}
    if overrides_path:
        for line in open(overrides_path, encoding="utf-8"):
            if line.strip() and not line.startswith("#"):
                context, source, singular, plural = [unescape(f) for f in line.rstrip("\n").split("\t")]
                overrides[(context, source)] = (singular, plural)
    tree = ET.parse(path)
    for context, message in messages(tree):
        if message.get("numerus") != "yes":
            continue
        source = message.findtext("source")
        if (context, source) in overrides:
            forms = overrides[(context, source)]
        else:
            forms = (re.sub(r"\((e?s)\)", "", source), re.sub(r"\((e?s)\)", r"\1", source))
        translation = message.find("translation")
        for child in list(translation):
            translation.remove(child)
        translation.text = None
        for form in forms:
            ET.SubElement(translation, "numerusform").text = form
        translation.attrib.pop("type", None)
    write(tree, path)


def export(path, out):
    tree = ET.parse(path)
    with open(out, "w", encoding="utf-8") as f:
        for context, message in messages(tree):
            if message.find("translation").get("type") in ("unfinished", None) and not finished(message):
                context_, source, comment = key(context, message)
                f.write("\t".join([escape(context_), escape(source), escape(comment),
                                   message.get("numerus", "no")]) + "\n")


def finished(message):
    translation = message.find("translation")
    if translation.get("type") in ("unfinished", "vanished", "obsolete"):
        return False
    if message.get("numerus") == "yes":
        forms = translation.findall("numerusform")
        return bool(forms) and all((form.text or "").strip() for form in forms)
    return bool((translation.text or "").strip())


def import_(path, inputs):
    translations = {}
    for name in inputs:
        for number, line in enumerate(open(name, encoding="utf-8"), 1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 4:
                sys.exit(f"{name}:{number}: expected 4 tab-separated fields, found {len(fields)}")
            context, source, comment, text = [unescape(f) for f in fields]
            translations[(context, source, comment)] = text
    tree = ET.parse(path)
    taken = 0
    for context, message in messages(tree):
        text = translations.get(key(context, message))
        if text is None or not text.strip():
            continue
        translation = message.find("translation")
        for child in list(translation):
            translation.remove(child)
        if message.get("numerus") == "yes":
            translation.text = None
            ET.SubElement(translation, "numerusform").text = text
        else:
            translation.text = text
        translation.attrib.pop("type", None)
        taken += 1
    write(tree, path)
    print(f"{taken} translations taken into {path}")


PLACEHOLDER = re.compile(r"%(?:n|L?\d{1,2})")
QUOTED = re.compile(r"`[^`]+`")


def check(path):
    tree = ET.parse(path)
    problems = []
    for context, message in messages(tree):
        source = message.findtext("source")
        where = f"{context}: \"{source}\""
        if not finished(message):
            problems.append(f"not translated: {where}")
            continue
        translation = message.find("translation")
        forms = ([form.text or "" for form in translation.findall("numerusform")]
                 if message.get("numerus") == "yes" else [translation.text or ""])
        for form in forms:
            if sorted(set(PLACEHOLDER.findall(form))) != sorted(set(PLACEHOLDER.findall(source))):
                problems.append(f"placeholders differ: {where} -> \"{form}\"")
            missing = set(QUOTED.findall(source)) - set(QUOTED.findall(form))
            if missing:
                problems.append(f"quoted text changed ({', '.join(sorted(missing))}): {where} -> \"{form}\"")
    for problem in problems:
        print(problem)
    count = sum(1 for _ in messages(tree))
    print(f"{path}: {count} messages, {len(problems)} problem(s)")
    return 1 if problems else 0


def main(argv):
    if len(argv) >= 3 and argv[1] == "english-plurals":
        english_plurals(argv[2], argv[3] if len(argv) > 3 else None)
    elif len(argv) == 4 and argv[1] == "export":
        export(argv[2], argv[3])
    elif len(argv) >= 4 and argv[1] == "import":
        import_(argv[2], argv[3:])
    elif len(argv) == 3 and argv[1] == "check":
        return check(argv[2])
    else:
        sys.exit(__doc__)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
