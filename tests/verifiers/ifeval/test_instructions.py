"""Every IFEval instruction type, at least one followed and one not-followed case each.

Many cases are the behaviours pinned by Google's ``instructions_test.py``; the rest are the edge cases that
decide rewards in practice (boundaries, case, fences, trailing whitespace, markdown quirks).
"""

from __future__ import annotations

from typing import Any

import pytest

from verifiers.ifeval.instructions import INSTRUCTION_IDS, bind


def followed(iid: str, kwargs: dict[str, Any], response: str) -> bool:
    (instruction,) = bind({"prompt": "p", "instruction_id_list": [iid], "kwargs": [kwargs]})
    return instruction.followed(response)


PARIS_1 = """
  Paris is a city of beauty and romance. The romantic river Seine winds its way
  through the city, past iconic landmarks like the Eiffel Tower and the Louvre
  Museum, where the Mona Lisa resides."""
PARIS_2 = """
  Paris is a city of beauty, romance, and history. The city is also known for its romantic
  river cruises, its delicious food, and its stylish people.
  """
NAZIS = """
  The Nazis came to power in 1933 through a combination of legal and illegal
  means. By 1934, Hitler had become dictator of Germany.
  """
DINOSAURS = """
  Dinosaurs were a diverse group of reptiles that dominated the Earth for over
  160 million years. They came in all shapes and sizes.
  """
BULLETS_1 = """
  A Markdown bullet point is a way of formatting text to create a list. To
  create a bullet point, start each line with an asterisk (*). For example:
  * This is a bullet point.
  *(no space required)Another bullet point.
  * (no newline ending required)Another bullet point.
  markdown bullet points are often used to create to-do lists or to list items
  in a step-by-step guide."""
BULLETS_2 = """
  Check that inline asterisk (*), *, will not be counted. Only * that starts a
  bullet list will be counted:
    * This is a bullet point.
    * Another bullet point.
    . dot is not counted"""
BULLETS_4 = """
  Here are three markdown bullets:
  - I am a large language model, also known as a conversational AI.
  - I am trained on a massive amount of text data, and I am able to communicate.
  -I am still under development, but I am learning new things every day."""
BULLETS_5 = """
  Paragraph 1
  ***
  Paragraph 2
  ***
  Paragraph 3
  * only one bullet point
  """
HIGHLIGHT_1 = """
  To highlight text with Markdown, you can use the * character before and after
  the text you want to highlight. For example, you would type:*hello*, You can also use the ** character to
  create bold text. For example, you would type: **hello** """
HIGHLIGHT_2 = """
  Sure, here are the numerical methods highlighted with Markdown:
  *Finite difference methods
  *Finite element methods*
  *Boundary element methods
  *Monte Carlo methods
  I hope this helps!"""
HIGHLIGHT_3 = """
  There is allowed to be *two different* highlighted *sections in the same*
  line. **This is also true** for **double markdown highlights.**
  """
SECTIONS_1 = """
  Your response must have multiple sections. Mark the beginning of each section
  with "Section X", such as:
  Section 1
  [content of section 1]
  Section 2
  [content of section 2]"""
SECTIONS_2 = """SECTION 1
  [content of section 1]
  SECTION 2
  [content of section 2]"""
PARAGRAPHS_1 = "\n  paragraph 1\n  ***\n  paragraph 2\n  ***\n  paragraph 3"
PARAGRAPHS_2 = "\n          ***\n  paragraph 1\n          ***\n      paragraph 2\n          ***\n      paragraph 3"
PARAGRAPHS_3 = "\n  paragraph 1\n          ***\n      paragraph 2\n          ***\n      paragraph 3\n          ***"
PARAGRAPHS_4 = "\n  paragraph 1\n          ***\n      paragraph 2\n          ***\n          ***"
FIRST_WORD_1 = "\n  paragraph 1\n\n  I paragraph 2\n\n  paragraph 3"
FIRST_WORD_2 = "\n  paragraph 1\n\n  I paragraph 2"
FIRST_WORD_3 = "\n  paragraph 1\n\n  fail paragraph 2\n\n  paragraph 3"
FIRST_WORD_4 = """
  Wow this is a very long response.

  I can't believe there is more than three paragraphs.

  Really more than three? No way!

  I can't believe it but I guess I am living proof.

  Haha, you go that right."""
FIRST_WORD_5 = FIRST_WORD_4.replace("Really more", '"Really?! more').replace("No way!", 'No way!"')
FIRST_WORD_6 = FIRST_WORD_4.replace("Really more", "Rea!lly more")
POSTSCRIPT_1 = """
  I will do my best to follow your instructions.

  P.S. I hope this is what you were looking for."""
POSTSCRIPT_2 = """
  My response is: I hope this answers your question.

  P.P.S. I am always happy to answer any other questions you may have.

  Do you have any other questions for me?"""
POSTSCRIPT_3 = "the circle has no size and is just a point. (not starting a new line) P.S. I hope you enjoyed my joke!"
POSTSCRIPT_4 = "\n  If the length of a square is one.\n  p.p.s what if the entire response was lower case letters?\n  "
POSTSCRIPT_5 = "\n  The mysteries of space and time are mysterious.\n  P. S. Sometimes there are even spaces between P. and S..\n  "
TWO_1 = "\n  This is response 1.\n  ******\n  This is response 2.\n  "
TWO_2 = "\n  This is response 1.\n  ******\n  This is response 1.\n  "
TWO_3 = "\n  This is response 1.\n  ******\n  This is response 2.\n  ******\n  This is response 3.\n  "
TWO_4 = "\n  ******\n  Response 1.\n  ******\n  ******\n  Response 2.\n  ******\n  "
TWO_5 = "\n  ******\n  Response 1\n  ******\n  Response 2\n  ******\n  "

REL_LT, REL_GE = "less than", "at least"

CASES: list[tuple[str, dict[str, Any], str, bool]] = [
    # keywords:existence: case-insensitive substring, literal (not regex) keywords
    ("keywords:existence", {"keywords": ["romantic", "river", "Mona Lisa"]}, PARIS_1, True),
    ("keywords:existence", {"keywords": ["romantic", "river", "Mona Lisa"]}, PARIS_2, False),
    ("keywords:existence", {"keywords": ["PARIS", "Seine"]}, "paris and the seine", True),
    ("keywords:existence", {"keywords": ["riddle"]}, "I love riddles.", True),
    ("keywords:existence", {"keywords": ["C++"]}, "I write C++ every day.", True),
    ("keywords:existence", {"keywords": ["a.b"]}, "axb", False),
    # keywords:frequency: boundaries of both relations
    ("keywords:frequency", {"keyword": "  keyword ", "frequency": 4, "relation": REL_LT}, "keyword, Keyword, KEYWORD", True),
    ("keywords:frequency", {"keyword": "keyword", "frequency": 3, "relation": REL_GE}, "keyword, Keyword, KEYWORD", True),
    ("keywords:frequency", {"keyword": "KEYWORD", "frequency": 4, "relation": REL_GE}, "*keyword\n*Keyword\n*KEYWORD", False),
    ("keywords:frequency", {"keyword": "cat", "frequency": 3, "relation": REL_LT}, "cat cat cat", False),
    ("keywords:frequency", {"keyword": "cat", "frequency": 0, "relation": REL_GE}, "no felines", True),
    # keywords:forbidden_words: whole words only
    ("keywords:forbidden_words", {"forbidden_words": ["HOUSE", "POWER", "BECOME"]}, NAZIS, False),
    ("keywords:forbidden_words", {"forbidden_words": ["HOUSE", "POWER", "BECOME"]}, DINOSAURS, True),
    ("keywords:forbidden_words", {"forbidden_words": ["cat"]}, "I have two cats.", True),
    ("keywords:forbidden_words", {"forbidden_words": ["cat"]}, "My Cat.", False),
    # keywords:letter_frequency: whole response lowercased; non-letters counted as given
    ("keywords:letter_frequency", {"letter": "T", "let_frequency": 4, "let_relation": REL_GE}, "There is the T. Four T's.", True),
    ("keywords:letter_frequency", {"letter": "a", "let_frequency": 4, "let_relation": REL_LT}, "asdfghjkl!!aA", True),
    ("keywords:letter_frequency", {"letter": "p", "let_frequency": 4, "let_relation": REL_GE}, "asdfghjkl!!aA", False),
    ("keywords:letter_frequency", {"letter": "#", "let_frequency": 4, "let_relation": REL_GE}, "#one #two #three #four", True),
    ("keywords:letter_frequency", {"letter": "#", "let_frequency": 4, "let_relation": REL_GE}, "#one #two #three", False),
    # language:response_language: seeded langdetect; undetectable text counts as followed
    ("language:response_language", {"language": "en"}, "The response is English", True),
    ("language:response_language", {"language": "es"}, "Desayunamos en McDonald's hoy", True),
    ("language:response_language", {"language": "fr"}, "This answer is written entirely in plain English words.", False),
    ("language:response_language", {"language": "de"}, "12345 !!! 678", True),
    # length_constraints:number_sentences (Google's cases: Punkt splits on . ! ?)
    ("length_constraints:number_sentences", {"num_sentences": 4, "relation": REL_LT}, "xx,x. xx,x! xx/x. x{x}x?", False),
    ("length_constraints:number_sentences", {"num_sentences": 5, "relation": REL_LT}, "xxxx. xx,x! xxxx. x(x)x?", True),
    ("length_constraints:number_sentences", {"num_sentences": 4, "relation": REL_GE}, "xxxx. xx,x! xx|x. x&x x?", True),
    ("length_constraints:number_sentences", {"num_sentences": 5, "relation": REL_GE}, "xx-x. xx,x! xx}x. x,xx?", False),
    ("length_constraints:number_sentences", {"num_sentences": 2, "relation": REL_LT}, "Dr. Smith went to Washington.", True),
    # length_constraints:number_paragraphs: *** dividers, exact count, no empty paragraph in the middle
    ("length_constraints:number_paragraphs", {"num_paragraphs": 3}, PARAGRAPHS_1, True),
    ("length_constraints:number_paragraphs", {"num_paragraphs": 3}, PARAGRAPHS_2, True),
    ("length_constraints:number_paragraphs", {"num_paragraphs": 3}, PARAGRAPHS_3, True),
    ("length_constraints:number_paragraphs", {"num_paragraphs": 2}, PARAGRAPHS_4, False),
    ("length_constraints:number_paragraphs", {"num_paragraphs": 2}, PARAGRAPHS_1, False),
    ("length_constraints:number_paragraphs", {"num_paragraphs": 2}, "First part.\n***\nSecond part.\n\n   \n", True),
    # length_constraints:number_words: \w+ tokens
    ("length_constraints:number_words", {"num_words": 8, "relation": REL_LT}, "d3sCRi7 lArge lAnguagE M0del w1tH 20 w0RdS.", True),
    ("length_constraints:number_words", {"num_words": 16, "relation": REL_LT}, "L4RGE L4NGU4GE M0DEL: AI syst3m th4t und3rstands, g3n3r4tes, or tr4nsforms l4ngu4g3 b4s3d on pr3vious l3arning & d4t4.", False),
    ("length_constraints:number_words", {"num_words": 16, "relation": REL_GE}, "L4RGE L4NGU4GE M0DEL: AI syst3m th4t und3rstands, g3n3r4tes, or tr4nsforms l4ngu4g3 b4s3d on pr3vious l3arning & d4t4.", True),
    ("length_constraints:number_words", {"num_words": 4, "relation": REL_GE}, "Don't be light-hearted", True),
    ("length_constraints:number_words", {"num_words": 3, "relation": REL_LT}, "one two three", False),
    ("length_constraints:number_words", {"num_words": 3, "relation": REL_GE}, "one two three", True),
    # length_constraints:nth_paragraph_first_word: blank-line paragraphs
    ("length_constraints:nth_paragraph_first_word", {"num_paragraphs": 3, "nth_paragraph": 2, "first_word": "I"}, FIRST_WORD_1, True),
    ("length_constraints:nth_paragraph_first_word", {"num_paragraphs": 3, "nth_paragraph": 2, "first_word": "I"}, FIRST_WORD_2, False),
    ("length_constraints:nth_paragraph_first_word", {"num_paragraphs": 3, "nth_paragraph": 2, "first_word": "I"}, FIRST_WORD_3, False),
    ("length_constraints:nth_paragraph_first_word", {"num_paragraphs": 5, "nth_paragraph": 5, "first_word": "haha"}, FIRST_WORD_4, True),
    ("length_constraints:nth_paragraph_first_word", {"num_paragraphs": 5, "nth_paragraph": 3, "first_word": "Really"}, FIRST_WORD_5, True),
    ("length_constraints:nth_paragraph_first_word", {"num_paragraphs": 5, "nth_paragraph": 3, "first_word": "Really"}, FIRST_WORD_6, False),
    ("length_constraints:nth_paragraph_first_word", {"num_paragraphs": 2, "nth_paragraph": 2, "first_word": "b"}, "a\n\n\n\nb", False),
    # detectable_content:number_placeholders
    ("detectable_content:number_placeholders", {"num_placeholders": 5}, "Template:\n[Name]\n[Email]\n[Phone]\n[Address]\n[Website]\n", True),
    ("detectable_content:number_placeholders", {"num_placeholders": 7}, "My [adjective] [noun] is [adjective] [noun]. I [verb] and [verb].", False),
    ("detectable_content:number_placeholders", {"num_placeholders": 2}, "[a] and [b\n]", False),
    # detectable_content:postscript
    ("detectable_content:postscript", {"postscript_marker": "P.S."}, POSTSCRIPT_1, True),
    ("detectable_content:postscript", {"postscript_marker": "PS:"}, POSTSCRIPT_1, False),
    ("detectable_content:postscript", {"postscript_marker": "P.P.S"}, POSTSCRIPT_2, True),
    ("detectable_content:postscript", {"postscript_marker": "P.S."}, POSTSCRIPT_3, True),
    ("detectable_content:postscript", {"postscript_marker": "P.P.S"}, POSTSCRIPT_4, True),
    ("detectable_content:postscript", {"postscript_marker": "P.S."}, POSTSCRIPT_5, True),
    ("detectable_content:postscript", {"postscript_marker": "P.S."}, "No postscript at all. PS nope", False),
    # detectable_format:number_bullet_lists: exact count, * and - lines, "---" included, ** excluded
    ("detectable_format:number_bullet_lists", {"num_bullets": 3}, BULLETS_1, True),
    ("detectable_format:number_bullet_lists", {"num_bullets": 2}, BULLETS_2, True),
    ("detectable_format:number_bullet_lists", {"num_bullets": 3}, BULLETS_4, True),
    ("detectable_format:number_bullet_lists", {"num_bullets": 1}, BULLETS_5, True),
    ("detectable_format:number_bullet_lists", {"num_bullets": 2}, BULLETS_4, False),
    ("detectable_format:number_bullet_lists", {"num_bullets": 3}, "- a\n---\n- b", True),
    ("detectable_format:number_bullet_lists", {"num_bullets": 1}, "**Bold heading**\n* one", True),
    # detectable_format:constrained_response
    ("detectable_format:constrained_response", {}, "\n My answer is no.\n", True),
    ("detectable_format:constrained_response", {}, "My answer is no.   ", True),
    ("detectable_format:constrained_response", {}, "  My answer is no. I am still under development.", True),
    ("detectable_format:constrained_response", {}, "My answer is probably yes.", False),
    # detectable_format:number_highlighted_sections: *x* and **x** both count
    ("detectable_format:number_highlighted_sections", {"num_highlights": 2}, HIGHLIGHT_1, True),
    ("detectable_format:number_highlighted_sections", {"num_highlights": 2}, HIGHLIGHT_2, False),
    ("detectable_format:number_highlighted_sections", {"num_highlights": 4}, HIGHLIGHT_3, True),
    ("detectable_format:number_highlighted_sections", {"num_highlights": 1}, "** ** and * *", False),
    # detectable_format:multiple_sections: at least N
    ("detectable_format:multiple_sections", {"section_spliter": "Section", "num_sections": 3}, SECTIONS_1, False),
    ("detectable_format:multiple_sections", {"section_spliter": "SECTION", "num_sections": 2}, SECTIONS_2, True),
    ("detectable_format:multiple_sections", {"section_spliter": "Section", "num_sections": 2}, SECTIONS_1, True),
    # detectable_format:json_format: optional fences, surrounding whitespace
    ("detectable_format:json_format", {}, '```json\n{"a": 1, "b": [1, 2]}\n```', True),
    ("detectable_format:json_format", {}, '  \n{"a": 1}\n\n   ', True),
    ("detectable_format:json_format", {}, '```\n[1, 2, 3]\n```\n', True),
    ("detectable_format:json_format", {}, '```JSON\n{"a": 1}\n```', True),
    ("detectable_format:json_format", {}, 'Here is the JSON: {"a": 1}', False),
    ("detectable_format:json_format", {}, '{"a": 1} and some trailing prose', False),
    ("detectable_format:json_format", {}, "[" * 100_000, False),
    # detectable_format:title
    ("detectable_format:title", {}, "\n  <<Song of Joy>>\n  La la la. Happy song.\n  ", True),
    ("detectable_format:title", {}, "\n  Is it fine for title to be at the end?\n  <<This is the title>>\n  ", True),
    ("detectable_format:title", {}, "\n  << >>\n  There is no title.\n  ", False),
    ("detectable_format:title", {}, "\n  <<This is not a title.\n  This is a paragraph.>>\n  ", False),
    # combination:two_responses
    ("combination:two_responses", {}, TWO_1, True),
    ("combination:two_responses", {}, TWO_2, False),
    ("combination:two_responses", {}, TWO_3, False),
    ("combination:two_responses", {}, TWO_4, False),
    ("combination:two_responses", {}, TWO_5, True),
    # combination:repeat_prompt
    ("combination:repeat_prompt", {"prompt_to_repeat": "Write a CL description."}, "Write a CL description. Hi, Le and TJ, please\n  check this out. Thanks.\n  ", True),
    ("combination:repeat_prompt", {"prompt_to_repeat": "Write a CL description."}, "Hi, Le and TJ. Write a CL description. Thanks.\n  ", False),
    ("combination:repeat_prompt", {"prompt_to_repeat": "Write a CL description."}, "  write a cl DESCRIPTION. Done.", True),
    # startend:end_checker
    ("startend:end_checker", {"end_phrase": "\n  Any more questions?\n  "}, "\n  The answer is 7. Any more questions?\n  ", True),
    ("startend:end_checker", {"end_phrase": "This is the end."}, "\n  I am required to say that this is the end.\n  ", True),
    ("startend:end_checker", {"end_phrase": "This will fail."}, "\n  This will fail. Paris is cool.\n  ", False),
    ("startend:end_checker", {"end_phrase": "Any other questions?"}, '"Here you go. Any other questions?"', True),
    # startend:quotation
    ("startend:quotation", {}, '\n  "This entire message is wrapped in double quotation marks."\n  ', True),
    ("startend:quotation", {}, '\n  "This message is wrapped in double quotation marks." But not everything.\n  ', False),
    ("startend:quotation", {}, '"', False),
    # change_case:capital_word_frequency: nltk.word_tokenize tokens, "DON'T" is two
    ("change_case:capital_word_frequency", {"capital_frequency": 3, "capital_relation": REL_GE}, "\n  HERE there are THREE FUlly CAPITAL words.\n  ", True),
    ("change_case:capital_word_frequency", {"capital_frequency": 5, "capital_relation": REL_LT}, "\n  THERE are Four FULLY CAPITAL WORDS. Many Others Are Only Partially So.\n  ", True),
    ("change_case:capital_word_frequency", {"capital_frequency": 4, "capital_relation": REL_LT}, "\n  THERE are Four FULLY CAPITAL WORDS. Many Others Are Only Partially So.\n  ", False),
    ("change_case:capital_word_frequency", {"capital_frequency": 2, "capital_relation": REL_GE}, "DON'T stop now", True),
    # change_case:english_capital / english_lowercase: case test plus langdetect "en"
    ("change_case:english_capital", {}, "\n  THIS IS AN ENGLISH SENTENCE. EVERY LETTER IS CAPITALIZED!!! AMAZING.\n  ", True),
    ("change_case:english_capital", {}, "\n  Every Word Is Capitalized.\n  ", False),
    ("change_case:english_capital", {}, "CECI EST UNE PHRASE ENTIÈREMENT ÉCRITE EN FRANÇAIS AVEC DES MOTS FRANÇAIS.", False),
    ("change_case:english_lowercase", {}, "\n  every letter is lowercase.\n  ", True),
    ("change_case:english_lowercase", {}, "\n  Almost every letter is lowercase.\n  ", False),
    # punctuation:no_comma
    ("punctuation:no_comma", {}, "\n  Every sentence is short. There is no need for a comma.\n  ", True),
    ("punctuation:no_comma", {}, "\n  Since the start of time, people have always found a way to punctuate.\n  ", False),
]


@pytest.mark.parametrize(("iid", "kwargs", "response", "expected"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_instruction(iid: str, kwargs: dict[str, Any], response: str, expected: bool) -> None:
    assert followed(iid, kwargs, response) is expected


def test_every_instruction_has_a_followed_and_a_not_followed_case() -> None:
    verdicts: dict[str, set[bool]] = {iid: set() for iid in INSTRUCTION_IDS}
    for iid, _, _, expected in CASES:
        verdicts[iid].add(expected)
    assert len(INSTRUCTION_IDS) == 25
    assert {iid: seen for iid, seen in verdicts.items() if seen != {True, False}} == {}


@pytest.mark.parametrize("iid", INSTRUCTION_IDS)
def test_blank_response_follows_nothing(iid: str) -> None:
    # Google's evaluation requires response.strip() before any check: "no commas" is not followed by silence.
    kwargs = next(kwargs for case_iid, kwargs, _, _ in CASES if case_iid == iid)
    assert followed(iid, kwargs, "  \n\t ") is False
