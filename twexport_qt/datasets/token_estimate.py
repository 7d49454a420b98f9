"""Estimate how many tokens a dataset holds, so users can price a fine-tuning run before they pay for it.

No tokenizer is downloaded or bundled: the estimate is the published rule of thumb for English with GPT-style
BPE tokenizers, one token per 4 characters (about 0.75 words per token), taken per text and rounded up, plus
a fixed overhead per chat message for the role markers chat templates add. Real counts vary by tokenizer and
language (more tokens for non-Latin scripts and emoji): the card says this is an estimate and how it is made.
"""

from __future__ import annotations

CHARS_PER_TOKEN = 4
TOKENS_PER_MESSAGE = 4  # role marker, start and end tokens of one chat turn
RULE = (f"about 1 token per {CHARS_PER_TOKEN} characters of text (~0.75 words per token), rounded up per text, "
        f"plus {TOKENS_PER_MESSAGE} tokens per chat message for its role markers")


def estimate_text_tokens(text: str) -> int:
    """Estimated tokens of one text (0 for "")."""
    return -(-len(text) // CHARS_PER_TOKEN)


def estimate_chat_tokens(contents: list[str]) -> int:
    """Estimated tokens of one chat example, from the contents of its messages."""
    return sum(map(estimate_text_tokens, contents)) + TOKENS_PER_MESSAGE * len(contents)
