"""Trailing end-of-turn tokens: what a trainer that decodes with special tokens leaves on a response.

OpenRLHF decodes with ``skip_special_tokens=False``, so a finished response ends in its template's
end-of-turn token; left in place, it breaks checks on how the answer ends (IFEval's ``startend:end_checker``,
a program's last line). ``/openrlhf/reward`` always strips them; other clients ask with
``options.strip_eos: true``.
"""

from __future__ import annotations

# End-of-turn / end-of-text tokens of common chat templates (ChatML, Llama 2/3, Gemma, Phi, DeepSeek).
END_OF_TURN = ("<|im_end|>", "<|endoftext|>", "</s>", "<|eot_id|>", "<|end_of_text|>", "<end_of_turn>",
               "<|end|>", "<｜end▁of▁sentence｜>")


def strip_end_of_turn(text: str) -> str:
    """``text`` without the end-of-turn tokens (and whitespace) it ends with.

    Only trailing tokens go: the same token inside the text is the model's own output. It only moves an
    index back (no copies), so it is linear in the text: a repetition loop of tokens costs one pass.
    """
    end = len(text)
    while True:
        while end and text[end - 1].isspace():
            end -= 1
        for token in END_OF_TURN:
            if text.endswith(token, 0, end):
                end -= len(token)
                break
        else:
            return text[:end]
