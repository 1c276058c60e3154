"""Solution to the truncation exercise (notebook 01): fit a text into a token budget."""

from notebook_sources._cells import NotebookSource, code, md

NOTEBOOK = NotebookSource(
    name="solutions/01_truncate_solution",
    title="Solution · fit a document into a token budget",
    measures="A worked solution to the exercise of notebook 01.",
    cells=[
        md(
            """
            # Solution · fit a document into a token budget

            The task from [01 · Token counting](../01_token_counting.ipynb): return the longest prefix of a text
            that is at most `max_tokens` tokens for a model.

            **What you will measure**: how many tokens and characters survive a budget, in English and in
            Japanese, and whether the solution passes the exercise's check.
            """
        ),
        code(
            """
            from costkit.encodings import encoding_for_model
            from costkit.exercises import check_truncation
            from costkit.tokens import count_tokens
            from costkit.widgets import describe_setup

            print(describe_setup())
            """
        ),
        md(
            """
            Encode, keep the first `max_tokens` ids and decode them. Where the last kept token ends inside a
            multi-byte character, the decoded text ends in the replacement character `�` and is not a prefix of
            the original; drop one token at a time until it is. Re-encoding a decoded prefix can, rarely, give a
            different count than the ids it came from, so the loop checks the count too.
            """
        ),
        code(
            """
            def truncate_to_tokens(text, max_tokens, model):
                tokens = encoding_for_model(model).encode_ordinary(text)
                keep = min(max_tokens, len(tokens))
                while keep > 0:
                    candidate = encoding_for_model(model).decode(tokens[:keep])
                    if text.startswith(candidate) and count_tokens(candidate, model) <= max_tokens:
                        return candidate
                    keep -= 1
                return ""
            """
        ),
        md(
            """
            A Japanese sentence under a 10-token budget on gpt-4 (`cl100k_base`) keeps fewer characters than the
            same budget on gpt-4o (`o200k_base`):
            """
        ),
        code(
            """
            sentence = "品物の約三分の二が修理されて家に帰りました。"
            {model: truncate_to_tokens(sentence, 10, model) for model in ["gpt-4", "gpt-4o"]}
            """
        ),
        md(
            """
            The same check the exercise runs:
            """
        ),
        code(
            """
            result = check_truncation(truncate_to_tokens)
            """
        ),
    ],
)
