"""Notebook 01: what a token is and how to count what a request sends."""

from notebook_sources._cells import NotebookSource, code, md

NOTEBOOK = NotebookSource(
    name="01_token_counting",
    title="01 · Token counting",
    measures=(
        "Characters per token for prose, code, JSON, German and Japanese under two encodings; the tokens "
        "that messages, names, tool calls, tool definitions and images add; how close local counts "
        "come to the API's published figures; and local counts beside the usage that responses report."
    ),
    cells=[
        md(
            """
            # 01 · Token counting

            Providers bill by the token, not by the character or the word, so every cost estimate starts with a
            token count. This notebook counts tokens offline with the same tokenizers OpenAI's models use, and
            checks the counts against figures the API has published.

            **What you will measure**

            - how many characters make one token in English prose, Python code, JSON, German and Japanese,
              under the `o200k_base` (gpt-4o and later) and `cl100k_base` (gpt-4, gpt-3.5-turbo) encodings;
            - what a chat request adds on top of its text: per-message framing, names, content parts and
              tool calls;
            - what tool definitions and images cost in input tokens;
            - whether costkit's counts reproduce the API's published counts;
            - local counts beside the `usage` that OpenAI and Anthropic responses report, and which counts
              are exact and which are estimates.
            """
        ),
        md(
            """
            The first cell loads the libraries and prints the mode and the price table's date. The tokenizers
            ship with costkit, so counting needs no network. Only the section on `response.usage` sends
            requests: to the offline sandbox by default, or to the real APIs when the mode line shows live.
            """
        ),
        code(
            """
            %matplotlib inline
            import base64
            import json
            from io import BytesIO
            from pathlib import Path

            import matplotlib.pyplot as plt
            import pandas as pd
            from PIL import Image

            from costkit import calculate_cost
            from costkit.clients import anthropic_client, openai_client
            from costkit.encodings import encoding_name_for_model, is_estimate
            from costkit.exercises import check_truncation, hint
            from costkit.plots import show_token_boundaries
            from costkit.tokens import (count_image_tokens, count_message_tokens, count_tokens,
                                        count_tool_tokens, token_boundaries)
            from costkit.widgets import describe_setup

            DATA = Path("../data/texts")
            print(describe_setup())
            """
        ),
        md(
            """
            ## What a token is

            A tokenizer cuts text into pieces from a fixed vocabulary (about 200,000 pieces for `o200k_base`)
            and the model sees one integer per piece. Common words are one piece, often with their leading
            space; rare words, numbers and many non-English words are split into several.
            """
        ),
        code(
            """
            sentence = "Tokenizers don't split on spaces: they split 'unbelievably' differently from 'cat'."
            token_boundaries(sentence, "gpt-4o")
            """
        ),
        md(
            """
            The same split, drawn with alternating colours (a `·` is a space). The count above the text is what
            the sentence costs as input.
            """
        ),
        code(
            """
            show_token_boundaries(sentence, "gpt-4o")
            """
        ),
        md(
            """
            Japanese shows the difference between the two encodings. `cl100k_base` often needs several tokens
            for one character, and a token can end in the middle of a character's bytes; such a piece shows as
            `�`. `o200k_base` has many more CJK pieces in its vocabulary.
            """
        ),
        code(
            """
            japanese = "品物の約三分の二が修理されて家に帰りました。"
            show_token_boundaries(japanese, encoding="cl100k_base")
            """
        ),
        code(
            """
            show_token_boundaries(japanese, encoding="o200k_base")
            """
        ),
        md(
            """
            ## Characters per token on real texts

            "About four characters per token" is a rule of thumb for English prose. To see where it holds, count
            five texts in `data/texts/`: an English essay, the same essay in German and in Japanese, a Python
            module and a JSON document. Because the three essays say the same thing, their token counts compare
            what the *language* costs.
            """
        ),
        code(
            """
            FILES = {
                "English prose": "english_prose.txt",
                "German prose": "german_prose.txt",
                "Japanese prose": "japanese_prose.txt",
                "Python code": "python_code.py",
                "JSON": "ledger.json",
            }
            texts = {kind: (DATA / name).read_text(encoding="utf-8") for kind, name in FILES.items()}

            rows = []
            for kind, text in texts.items():
                row = {"kind": kind, "characters": len(text)}
                for encoding in ["o200k_base", "cl100k_base"]:
                    tokens = count_tokens(text, encoding=encoding)
                    row[f"tokens {encoding}"] = tokens
                    row[f"chars/token {encoding}"] = round(len(text) / tokens, 2)
                rows.append(row)
            measured = pd.DataFrame(rows).set_index("kind")
            measured
            """
        ),
        md(
            """
            The same figures as a chart. Higher bars mean more text per token, so cheaper text.
            """
        ),
        code(
            """
            chars_per_token = measured[["chars/token o200k_base", "chars/token cl100k_base"]].rename(columns={
                "chars/token o200k_base": "o200k_base (gpt-4o and later)",
                "chars/token cl100k_base": "cl100k_base (gpt-4, gpt-3.5-turbo)",
            })
            ax = chars_per_token.plot.barh(figsize=(7, 3.8), color=["#4C72B0", "#DD8452"])
            ax.invert_yaxis()
            ax.axvline(4, color="grey", linestyle="--", linewidth=1, label="rule of thumb: 4 chars/token")
            ax.set_xlabel("Characters per token")
            ax.set_ylabel("")
            ax.set_title("Japanese packs about 1 character per token; English prose about 4–5")
            ax.legend(fontsize=8)
            ax.spines[["top", "right"]].set_visible(False)
            plt.show()
            """
        ),
        md(
            """
            Relative to the English original, here is how many tokens the same content needs:
            """
        ),
        code(
            """
            languages = measured.loc[["English prose", "German prose", "Japanese prose"],
                                     ["tokens o200k_base", "tokens cl100k_base"]]
            (languages / languages.loc["English prose"]).round(2).rename(
                columns=lambda column: column.replace("tokens", "× English"))
            """
        ),
        md(
            """
            So a budget built on "4 characters per token" is off by a factor of 3 or more for a Japanese-speaking
            user base, and `o200k_base` makes non-English text noticeably cheaper than `cl100k_base`. Count with
            the real tokenizer instead of a rule of thumb.

            ## Counting a chat request

            `count_tokens` counts plain text. A chat request sends messages, and the chat format wraps each one
            in framing tokens: 3 per message, plus 3 that prime the reply. `count_message_tokens` adds them.
            """
        ),
        code(
            """
            hello = [{"role": "user", "content": "Hello!"}]
            pd.Series({
                "count_tokens('Hello!')": count_tokens("Hello!", "gpt-4o"),
                "count_message_tokens([user: 'Hello!'])": count_message_tokens(hello, "gpt-4o"),
            }, name="tokens").to_frame()
            """
        ),
        md(
            """
            Each further message adds its content, its role and 3 framing tokens. A `name` on a message adds its
            own tokens plus 1.
            """
        ),
        code(
            """
            variants = {
                "one user message": [{"role": "user", "content": "Hello!"}],
                "+ system message": [{"role": "system", "content": "Be brief."},
                                     {"role": "user", "content": "Hello!"}],
                "+ name on the user message": [{"role": "system", "content": "Be brief."},
                                               {"role": "user", "name": "ada", "content": "Hello!"}],
            }
            pd.Series({label: count_message_tokens(messages, "gpt-4o") for label, messages in variants.items()},
                      name="tokens").to_frame()
            """
        ),
        md(
            """
            Content can also be a list of parts. Text parts count their text; an image part counts as image
            tokens (below), so pass its size when the image is a remote URL that cannot be read offline.
            """
        ),
        code(
            """
            photo_url = "https://example.com/kettle.jpg"
            with_image = [{"role": "user", "content": [
                {"type": "text", "text": "What is wrong with this kettle?"},
                {"type": "image_url", "image_url": {"url": photo_url, "detail": "low"}},
            ]}]
            count_message_tokens(with_image, "gpt-4o", image_sizes={photo_url: (1024, 768)})
            """
        ),
        md(
            """
            Tool calls are input too, once they are part of the conversation: the assistant's call (function name
            and JSON arguments) and the tool's result message both count on the next request.
            """
        ),
        code(
            """
            conversation = [
                {"role": "user", "content": "Is the café open on Saturday?"},
                {"role": "assistant", "content": None, "tool_calls": [{
                    "id": "call_1", "type": "function",
                    "function": {"name": "opening_hours", "arguments": '{"day": "saturday"}'},
                }]},
                {"role": "tool", "tool_call_id": "call_1", "content": '{"open": "10:00", "close": "15:00"}'},
            ]
            pd.Series({
                f"first {n} message(s)": count_message_tokens(conversation[:n], "gpt-4o") for n in (1, 2, 3)
            }, name="tokens").to_frame()
            """
        ),
        md(
            """
            ## Tool definitions cost tokens on every request

            The `tools` parameter is rendered into the prompt, so its schema is billed as input on every call,
            whether or not the model uses the tool. Descriptions, properties and enum values all count.
            """
        ),
        code(
            """
            cookbook = json.loads((DATA / "openai_cookbook_examples.json").read_text(encoding="utf-8"))
            weather_tools = cookbook["tool_example"]["tools"]
            pd.Series({model: count_tool_tokens(weather_tools, model) for model in ["gpt-4o", "gpt-4"]},
                      name="tokens for one weather tool").to_frame()
            """
        ),
        md(
            """
            ## Image tokens

            A high-detail image on gpt-4o is scaled to fit 2048×2048, then so that its shorter side is at most
            768 px, and costs 85 tokens plus 170 per 512-px tile that covers it. Low detail costs the 85 base
            tokens whatever the size. gpt-4o-mini counts the same tiles at a far higher rate (2,833 + 5,667 per
            tile), so its low price per token does not make images cheap: compare the two cost columns.
            """
        ),
        code(
            """
            sizes = [(512, 512), (1024, 1024), (2048, 4096), (1920, 1080), (4000, 3000)]
            images = pd.DataFrame([
                {"image": f"{width}×{height}",
                 "gpt-4o low": count_image_tokens(width, height, detail="low", model="gpt-4o"),
                 "gpt-4o high": count_image_tokens(width, height, detail="high", model="gpt-4o"),
                 "gpt-4o-mini high": count_image_tokens(width, height, detail="high", model="gpt-4o-mini")}
                for width, height in sizes
            ]).set_index("image")
            images["gpt-4o high (USD)"] = [calculate_cost("gpt-4o", tokens, 0) for tokens in images["gpt-4o high"]]
            images["gpt-4o-mini high (USD)"] = [
                calculate_cost("gpt-4o-mini", tokens, 0) for tokens in images["gpt-4o-mini high"]]
            images
            """
        ),
        md(
            """
            Because a large image is scaled down before tiling, the count stops growing with resolution. A small
            image is not scaled up, so up to 512 px it fits in one tile. For square images on gpt-4o:
            """
        ),
        code(
            """
            sides = list(range(128, 4097, 64))
            high = [count_image_tokens(side, side, detail="high", model="gpt-4o") for side in sides]

            fig, ax = plt.subplots(figsize=(7, 3.5))
            ax.step(sides, high, where="pre")  # each count covers the 64 px below its side, so the jump is at 512
            ax.set_xlabel("Side of a square image (px)")
            ax.set_ylabel("Input tokens (gpt-4o, high detail)")
            ax.set_ylim(bottom=0)
            ax.set_title("A square image costs 255 tokens up to 512 px and 765 above, however large it is")
            ax.spines[["top", "right"]].set_visible(False)
            plt.show()
            """
        ),
        md(
            """
            ## Checking against the API's published counts

            OpenAI's cookbook ran two requests against the API and published the `prompt_tokens` it reported: a
            six-message few-shot chat (with `name` fields) and a weather question with one tool. The inputs are
            stored exactly in `data/texts/openai_cookbook_examples.json`. Together with the two image figures
            from OpenAI's vision guide (765 and 1,105 tokens), here is how costkit's counts compare.
            """
        ),
        code(
            """
            checks = []
            for example in ["chat_example", "tool_example"]:
                case = cookbook[example]
                for model, published in case["api_prompt_tokens"].items():
                    counted = count_message_tokens(case["messages"], model, tools=case.get("tools"))
                    checks.append({"example": example, "model": model, "published": published, "costkit": counted})
            for width, height, published in [(1024, 1024, 765), (2048, 4096, 1105)]:
                counted = count_image_tokens(width, height, detail="high", model="gpt-4o")
                checks.append({"example": f"image {width}×{height}", "model": "gpt-4o",
                               "published": published, "costkit": counted})
            published_check = pd.DataFrame(checks)
            published_check["match"] = published_check["published"] == published_check["costkit"]
            published_check
            """
        ),
        md(
            """
            ## Trust `response.usage`; count locally to forecast

            A local count is a forecast of what you will send. After the call, the provider reports what it
            billed in `response.usage`, and that figure is the one to record. Providers change their framing,
            add hidden system tokens for some features, and round image sizes in ways a local count can miss.

            To see both numbers side by side, send four requests through `openai_client()`: a plain chat, the
            cookbook's few-shot chat with `name` fields, the cookbook's weather question with its tool, and a
            question about a small image sent as a base64 data URL (a blank 64×48 PNG made here, at low
            detail). Each request sets `max_tokens=20`, so a live run costs a fraction of a cent.
            """
        ),
        code(
            """
            buffer = BytesIO()
            Image.new("RGB", (64, 48), "white").save(buffer, format="PNG")
            small_png = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")

            openai_requests = {
                "plain chat": {"messages": [{"role": "system", "content": "Be brief."},
                                            {"role": "user", "content": "Hello!"}]},
                "few-shot chat with names": {"messages": cookbook["chat_example"]["messages"]},
                "weather question with a tool": {"messages": cookbook["tool_example"]["messages"],
                                                 "tools": weather_tools},
                "image, 64×48 PNG, low detail": {"messages": [{"role": "user", "content": [
                    {"type": "text", "text": "What colour is this image?"},
                    {"type": "image_url", "image_url": {"url": small_png, "detail": "low"}},
                ]}]},
            }
            """
        ),
        md(
            """
            Count each request locally, send it, and put the local count beside the `prompt_tokens` that the
            response reports.
            """
        ),
        code(
            """
            client = openai_client()
            rows = []
            for label, request in openai_requests.items():
                response = client.chat.completions.create(model="gpt-4o-mini", max_tokens=20, **request)
                rows.append({
                    "request": label,
                    "count_message_tokens": count_message_tokens(request["messages"], "gpt-4o-mini",
                                                                 tools=request.get("tools")),
                    "usage.prompt_tokens": response.usage.prompt_tokens,
                })
            openai_usage = pd.DataFrame(rows).set_index("request")
            openai_usage["difference"] = openai_usage["usage.prompt_tokens"] - openai_usage["count_message_tokens"]
            openai_usage
            """
        ),
        md(
            """
            The image row is the largest: gpt-4o-mini bills even a low-detail image at 2,833 tokens. Offline,
            the answer itself is placeholder text from the sandbox, marked as such:
            """
        ),
        code(
            """
            print(response.choices[0].message.content)
            """
        ),
        md(
            """
            **Why the columns agree here.** Offline, the sandbox computes `usage` with costkit's own counter,
            so agreement in this table shows the method (count, send, compare), not that the counter is right.
            The evidence that it is right is the check against the API's published counts above. Against the
            real API, `usage` is the authority and the numbers can differ, for example when OpenAI changes its
            message framing or image rules. That is why production code should read and record
            `response.usage`, and keep local counts for forecasts and budgets.

            ### Claude: local estimates and `count_tokens`

            For Claude the gap is wider. Anthropic has not published Claude's tokenizer, so costkit counts Claude
            text with `o200k_base` as a stand-in and every local Claude count is an *estimate*. The exact input
            count comes from Anthropic's `messages.count_tokens` endpoint or from the usage of a response. Here
            are three requests through `anthropic_client()`, with the local estimate made by
            `count_message_tokens` (the system prompt as a first message, the tool in OpenAI's format).
            """
        ),
        code(
            """
            CLAUDE = "claude-sonnet-4-5"
            claude_tools = [{"name": tool["function"]["name"], "description": tool["function"]["description"],
                             "input_schema": tool["function"]["parameters"]} for tool in weather_tools]
            weather = cookbook["tool_example"]["messages"]
            claude_requests = {
                "plain chat": {"system": "Be brief.", "messages": [{"role": "user", "content": "Hello!"}]},
                "English essay": {"messages": [{"role": "user", "content": texts["English prose"]}]},
                "weather question with a tool": {"system": weather[0]["content"], "messages": weather[1:],
                                                 "tools": claude_tools},
            }
            """
        ),
        code(
            """
            claude = anthropic_client()
            rows = []
            for label, request in claude_requests.items():
                as_chat = [{"role": "system", "content": request["system"]}] if "system" in request else []
                local = count_message_tokens(as_chat + request["messages"], CLAUDE,
                                             tools=weather_tools if "tools" in request else None)
                counted = claude.messages.count_tokens(model=CLAUDE, **request)
                response = claude.messages.create(model=CLAUDE, max_tokens=20, **request)
                rows.append({"request": label, "local estimate": local,
                             "messages.count_tokens": counted.input_tokens,
                             "usage.input_tokens": response.usage.input_tokens})
            claude_usage = pd.DataFrame(rows).set_index("request")
            claude_usage["difference"] = claude_usage["usage.input_tokens"] - claude_usage["local estimate"]
            claude_usage
            """
        ),
        md(
            """
            `count_tokens` and `usage.input_tokens` agree, because both measure the same request on the
            provider's side. The local estimate is off in two ways. It frames the messages the way OpenAI's
            chat format does, which is a few tokens away from Anthropic's in either direction. And it cannot
            see the system prompt that the API adds whenever `tools` is present, which is a few hundred
            tokens and dominates the tool row.

            Offline, the sandbox's Claude figures are estimates too: it counts text with `o200k_base`, as
            costkit does, and adds fixed overheads that it assumes for the message format and the tool system
            prompt. Live, Claude's tokenizer can split the same text differently, so the essay row can move as
            well. costkit marks which models get estimated counts:
            """
        ),
        code(
            """
            pd.DataFrame(
                [{"model": model, "encoding used": encoding_name_for_model(model),
                  "count is an estimate": is_estimate(model),
                  "tokens in the English essay": count_tokens(texts["English prose"], model)}
                 for model in ["gpt-4o", "gpt-4", "claude-sonnet-4-5", "gemini-2.5-flash"]]
            ).set_index("model")
            """
        ),
        md(
            """
            Gemini's tokenizer is not public either. Budget with the estimate, bill with the reported usage.
            """
        ),
        md(
            """
            ## Summary

            - English prose runs at almost 5 characters per token, Python code at about 4 and indented JSON at
              about 3. The same essay needs 1.3× (o200k_base) to 1.6× (cl100k_base) the tokens in German and
              1.6× to 2.2× in Japanese, so count with the real tokenizer instead of a rule of thumb.
            - `o200k_base` (gpt-4o and later) is cheaper than `cl100k_base` for non-English text.
            - A chat request costs more than its text: 3 framing tokens per message, 1 more per `name`, 3 for the
              reply, plus tool calls and results already in the conversation.
            - Tool definitions are billed as input on every request; images cost a fixed number of tokens set by
              their tiles, not by their file size.
            - costkit reproduces the API's published counts for OpenAI models. Claude and Gemini counts are
              estimates, and Claude's tool use adds a system prompt that no local count includes.
            - Record the usage a response reports and bill with it. Offline the sandbox computes that usage
              with costkit's own counter, so there it matches by construction; live, the API is the authority.
            """
        ),
        md(
            """
            ## Exercise: fit a document into a token budget

            Before sending a long document you often need to cut it to a budget. Write
            `truncate_to_tokens(text, max_tokens, model)` that returns the longest *prefix* of `text` that is at
            most `max_tokens` tokens for `model`. The check runs English and Japanese texts on gpt-4o and gpt-4;
            the Japanese cases catch a cut in the middle of a character.
            """
        ),
        code(
            """
            def truncate_to_tokens(text, max_tokens, model):
                # Your code here: return the longest prefix of text with at most max_tokens tokens.
                return None
            """
        ),
        code(
            """
            result = check_truncation(truncate_to_tokens)
            """
        ),
        md(
            """
            Stuck? The next cell prints a hint. A worked solution is in
            [solutions/01_truncate_solution.ipynb](solutions/01_truncate_solution.ipynb).
            """
        ),
        code(
            """
            hint("truncate")
            """
        ),
    ],
)
