"""Notebook 02: from token counts to dollars, one request and one month at a time."""

from notebook_sources._cells import NotebookSource, code, md

NOTEBOOK = NotebookSource(
    name="02_cost_calculation",
    title="02 · Cost calculation",
    measures=(
        "The cost of one request and of a month of chatbot traffic on several models, what prompt caching "
        "takes off the usage a response reports, how much output and embeddings weigh, what trimming the "
        "context saves, and an interactive calculator."
    ),
    cells=[
        md(
            """
            # 02 · Cost calculation

            A price list says what a million tokens cost. A budget needs what *your* traffic costs: so many
            users, sending so many messages, each request carrying so many input tokens and getting so many
            output tokens back. This notebook turns the first into the second.

            **What you will measure**

            - the cost of one request with `calculate_cost`, exact to the fraction of a cent;
            - the cost of real responses with `cost_of`, including what prompt caching takes off on OpenAI
              and on Anthropic;
            - the cost of one retrieval-augmented (RAG) query, 1,500 tokens in and 300 out, on several models;
            - a month of a 1,000-user chatbot on each model, with its query embeddings included;
            - how much more an extra output token costs than an extra input token;
            - what the embeddings add next to the LLM calls;
            - how much a token budget on the retrieved context saves.

            At the end there is an interactive calculator and an exercise that checks itself.
            """
        ),
        md(
            """
            The first cell loads the libraries and prints the mode and the date the price table was checked.
            Prices change, so every figure below is only as current as that date. The section on pricing
            responses sends a few requests: to the offline sandbox by default, or to the real APIs when the
            mode line shows live.
            """
        ),
        code(
            """
            %matplotlib inline
            import json
            from decimal import Decimal
            from pathlib import Path

            import matplotlib.pyplot as plt
            import pandas as pd

            from costkit import calculate_cost, cost_of, estimate_monthly_cost, optimize_context
            from costkit.clients import anthropic_client, openai_client
            from costkit.exercises import check_exercise_1, hint
            from costkit.plots import format_usd, plot_monthly_costs, round_money
            from costkit.pricing import PriceTable
            from costkit.tokens import count_tokens
            from costkit.widgets import describe_setup, monthly_cost_calculator, monthly_cost_table

            DATA = Path("../data/texts")
            print(describe_setup())
            """
        ),
        md(
            """
            ## The price table

            costkit keeps its prices in `data/prices.csv`: one reviewed row per model, in USD per million
            tokens, with the date each row was checked and the page it came from. Here are the chat models
            this notebook compares.
            """
        ),
        code(
            """
            MODELS = ["gpt-4o", "gpt-4o-mini", "gpt-4.1-mini", "gpt-5-mini",
                      "claude-sonnet-4-5", "claude-haiku-4-5", "gemini-2.5-flash"]

            prices = PriceTable.default().to_frame()
            prices.loc[MODELS, ["provider", "input", "cached_input", "output", "as_of", "source"]]
            """
        ),
        md(
            """
            Output tokens cost several times as much as input tokens, and the ratio is not the same for every
            model. It matters because a model that writes long answers pays the higher rate on every one of them.
            """
        ),
        code(
            """
            ratio = (prices.loc[MODELS, "output"] / prices.loc[MODELS, "input"]).astype(float)
            print(f"An output token costs {ratio.min():.1f}× to {ratio.max():.1f}× an input token on these models.")
            ratio.rename("output price / input price").round(1).to_frame()
            """
        ),
        md(
            """
            ## The cost of one request

            `calculate_cost(model, input_tokens, output_tokens)` multiplies each token count by its price and
            returns a `Decimal`, so adding up thousands of requests never drifts by a rounding error. A typical
            RAG request sends 1,500 tokens (system prompt, retrieved context and question) and gets 300 back.
            """
        ),
        code(
            """
            calculate_cost("gpt-4o", input_tokens=1_500, output_tokens=300)
            """
        ),
        md(
            """
            The 300 output tokens are a sixth of the tokens but close to half of the cost: the input side is
            1,500 × $2.50 / 1M and the output side 300 × $10.00 / 1M.
            """
        ),
        code(
            """
            input_part = calculate_cost("gpt-4o", input_tokens=1_500, output_tokens=0)
            output_part = calculate_cost("gpt-4o", input_tokens=0, output_tokens=300)
            print(f"input  {input_part}  ({input_part / (input_part + output_part):.0%})")
            print(f"output {output_part}  ({output_part / (input_part + output_part):.0%})")
            """
        ),
        md(
            """
            ### Pricing the usage a response reports

            A count made before the call is a forecast. After the call, the provider reports what it billed in
            `response.usage`, and that is the number to price. `cost_of` takes a response (or a usage object in
            either provider's shape) and splits it into billing buckets. The two providers report cached tokens
            differently: OpenAI's `prompt_tokens` *include* the cached tokens, while Anthropic's `input_tokens`
            *exclude* cache reads and writes. Mixing the two up is the most common cost bug.

            To see both, send the same pair of questions twice to a support bot whose system prompt is long
            enough to cache: the repair café's essay and its eight help-page chunks, behind one line of
            instructions.
            """
        ),
        code(
            """
            retrieved = json.loads((DATA / "retrieved_chunks.json").read_text(encoding="utf-8"))
            handbook = [(DATA / "english_prose.txt").read_text(encoding="utf-8")]
            handbook += [chunk["text"] for chunk in retrieved["chunks"]]
            system_prompt = ("You answer visitors' questions about the repair café. Use only the documents below."
                             "\\n\\n" + "\\n\\n".join(handbook))
            questions = ["How do I book a repair for my cordless drill's battery?",
                         "Can I bring a bicycle whose gears skip?"]
            count_tokens(system_prompt, "gpt-4o-mini")
            """
        ),
        md(
            """
            **OpenAI** caches automatically: once a prompt of at least 1,024 tokens has been seen, a later
            request that starts with the same tokens reads them from the cache, in steps of 128 tokens. The
            second call below shares the whole system prompt with the first.
            """
        ),
        code(
            """
            client = openai_client()
            openai_responses = [
                client.chat.completions.create(
                    model="gpt-4o-mini", max_tokens=100,
                    messages=[{"role": "system", "content": system_prompt}, {"role": "user", "content": question}],
                )
                for question in questions
            ]
            pd.DataFrame(
                [{"prompt_tokens": response.usage.prompt_tokens,
                  "cached_tokens": response.usage.prompt_tokens_details.cached_tokens,
                  "completion_tokens": response.usage.completion_tokens}
                 for response in openai_responses],
                index=pd.Index(["call 1", "call 2"], name="response"),
            )
            """
        ),
        md(
            """
            Offline, call 2 reads 1,024 tokens from the cache: the prefix it shares with call 1, rounded down to
            a multiple of 128. The cached tokens are a subset of `prompt_tokens`, not extra tokens. `cost_of`
            moves them out of `uncached_input` into `cache_read`, which gpt-4o-mini bills at half the input
            price:
            """
        ),
        code(
            """
            openai_costs = [cost_of(response) for response in openai_responses]
            pd.concat({f"call {number}": breakdown.to_frame()
                       for number, breakdown in enumerate(openai_costs, start=1)}, axis=1)
            """
        ),
        md(
            """
            In live mode OpenAI's cache is best effort, so the second call usually, but not always, reports
            cached tokens. Either way, `cost_of` prices what the response reports.

            **Anthropic** caches only what the request marks. A `cache_control` breakpoint on the system prompt
            writes it to the cache on the first call, at 1.25× the input price for the default 5-minute cache,
            and reads it on the second at 0.1×. `input_tokens` counts only the tokens after the breakpoint.
            """
        ),
        code(
            """
            claude = anthropic_client()
            cached_system = [{"type": "text", "text": system_prompt, "cache_control": {"type": "ephemeral"}}]
            claude_responses = [
                claude.messages.create(model="claude-sonnet-4-5", max_tokens=100, system=cached_system,
                                       messages=[{"role": "user", "content": question}])
                for question in questions
            ]
            pd.DataFrame(
                [{"input_tokens": response.usage.input_tokens,
                  "cache_creation_input_tokens": response.usage.cache_creation_input_tokens,
                  "cache_read_input_tokens": response.usage.cache_read_input_tokens,
                  "output_tokens": response.usage.output_tokens}
                 for response in claude_responses],
                index=pd.Index(["call 1", "call 2"], name="response"),
            )
            """
        ),
        code(
            """
            claude_costs = [cost_of(response) for response in claude_responses]
            pd.concat({f"call {number}": breakdown.to_frame()
                       for number, breakdown in enumerate(claude_costs, start=1)}, axis=1)
            """
        ),
        md(
            """
            The rates in the table are the multipliers: divide each cache rate by the input rate.
            """
        ),
        code(
            """
            rates = claude_costs[0].rates
            pd.Series({bucket: rates[bucket] / rates["uncached_input"] for bucket in ["cache_write_5m", "cache_read"]},
                      name="× input price").to_frame()
            """
        ),
        md(
            """
            The first call pays a quarter more for the system prompt to write it, and each later read saves
            nine tenths of it, so one read within the cache's lifetime already pays the write back. The totals
            of the two calls on each provider:
            """
        ),
        code(
            """
            pd.DataFrame(
                {"call 1 (USD)": [openai_costs[0].total, claude_costs[0].total],
                 "call 2 (USD)": [openai_costs[1].total, claude_costs[1].total]},
                index=pd.Index(["gpt-4o-mini", "claude-sonnet-4-5"], name="model"),
            )
            """
        ),
        md(
            """
            ## One RAG query on several models

            The same 1,500-in, 300-out request on each model. One query costs a fraction of a cent, so its
            column keeps six decimals. The cost of 1,000 queries is shown to the cent. The last column shows
            how many times the cheapest model's cost each one is.
            """
        ),
        code(
            """
            per_query = pd.DataFrame(
                {"cost_per_query_usd": [calculate_cost(model, 1_500, 300) for model in MODELS]},
                index=pd.Index(MODELS, name="model"),
            ).sort_values("cost_per_query_usd")
            per_query["per_1000_queries_usd"] = per_query["cost_per_query_usd"] * 1_000
            per_query["times_cheapest"] = (
                per_query["cost_per_query_usd"] / per_query["cost_per_query_usd"].min()
            ).astype(float).round(1)
            round_money(per_query, column_places={"cost_per_query_usd": 6})
            """
        ),
        md(
            """
            ## A month of a RAG chatbot

            Now the lesson's scenario: 1,000 daily users, 5 messages each, 30 days, so 150,000 queries a month.
            Each query is embedded once (50 tokens with `text-embedding-3-small`) to search the documents,
            then answered with 1,500 tokens in and 300 out. `estimate_monthly_cost` adds both parts.
            """
        ),
        code(
            """
            gpt4o_month = estimate_monthly_cost(
                daily_users=1_000, messages_per_user=5, input_tokens=1_500, output_tokens=300, model="gpt-4o",
            )
            gpt4o_month
            """
        ),
        md(
            """
            The total is **$1,012.65**. The often-quoted $1,012.50 for this scenario is the LLM part alone: the
            embeddings add 150,000 × 50 = 7.5M tokens at $0.02 per million, which is $0.15. Small here, but a
            total that leaves out a line item is a habit that grows expensive.
            """
        ),
        code(
            """
            print("LLM calls  ", format_usd(gpt4o_month.llm_cost))
            print("embeddings ", format_usd(gpt4o_month.embedding_cost))
            print("total      ", format_usd(gpt4o_month.total))
            """
        ),
        md(
            """
            The same month on every model in the comparison. `monthly_cost_table` runs `estimate_monthly_cost`
            per model and sorts the result, cheapest first; `gpt-4o-mini` comes to $60.90.
            """
        ),
        code(
            """
            SCENARIO = dict(daily_users=1_000, messages_per_user=5, input_tokens=1_500, output_tokens=300)
            monthly = monthly_cost_table(models=MODELS, **SCENARIO)
            round_money(monthly)
            """
        ),
        md(
            """
            As a chart, with the lesson's premium model highlighted:
            """
        ),
        code(
            """
            ratio = monthly["monthly_cost_usd"].max() / monthly["monthly_cost_usd"].min()
            plot_monthly_costs(
                monthly, highlight="gpt-4o",
                title=f"The same chatbot month costs {ratio:.0f}× more on the priciest model than on the cheapest",
            )
            plt.show()
            """
        ),
        md(
            """
            ## Output tokens move the bill more than input tokens

            Add 100 tokens per request to the input (a longer system prompt, one more retrieved chunk) or to the
            output (a chattier answer), and see what each does to the month on each model.
            """
        ),
        code(
            """
            def month_total(model, input_tokens, output_tokens):
                scenario = {**SCENARIO, "input_tokens": input_tokens, "output_tokens": output_tokens}
                return estimate_monthly_cost(model=model, **scenario).total

            sensitivity = pd.DataFrame(
                {
                    "+100 input tokens (USD/month)": [
                        month_total(m, 1_600, 300) - month_total(m, 1_500, 300) for m in MODELS],
                    "+100 output tokens (USD/month)": [
                        month_total(m, 1_500, 400) - month_total(m, 1_500, 300) for m in MODELS],
                },
                index=pd.Index(MODELS, name="model"),
            )
            round_money(sensitivity)
            """
        ),
        md(
            """
            For gpt-4o, scale the input and the output separately from half to double their size and watch the
            monthly total. The steeper line is the one worth optimising first.
            """
        ),
        code(
            """
            factors = [0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0]
            input_line = [float(month_total("gpt-4o", int(1_500 * f), 300)) for f in factors]
            output_line = [float(month_total("gpt-4o", 1_500, int(300 * f))) for f in factors]

            fig, ax = plt.subplots(figsize=(7, 4))
            ax.plot([f * 100 for f in factors], input_line, marker="o", label="input tokens scaled (1,500 at 100%)")
            ax.plot([f * 100 for f in factors], output_line, marker="o", label="output tokens scaled (300 at 100%)")
            ax.set_xlabel("Tokens per request (% of the base scenario)")
            ax.set_ylabel("Cost per month (USD)")
            ax.set_title("gpt-4o: 300 output tokens move the bill almost as much as 1,500 input tokens")
            ax.legend()
            ax.spines[["top", "right"]].set_visible(False)
            plt.show()
            """
        ),
        md(
            """
            ## Embeddings next to the LLM calls

            Every query is embedded once, so the embedding bill grows with traffic too. Compared with the LLM
            calls it is tiny, even with the larger embedding model and the cheapest chat model.
            """
        ),
        code(
            """
            rows = []
            for embedding_model in ["text-embedding-3-small", "text-embedding-3-large"]:
                for model in ["gpt-4o", "gpt-4o-mini", "gpt-5-mini"]:
                    estimate = estimate_monthly_cost(model=model, embedding_model=embedding_model, **SCENARIO)
                    rows.append({
                        "embedding_model": embedding_model, "model": model,
                        "embedding_cost_usd": estimate.embedding_cost, "llm_cost_usd": estimate.llm_cost,
                        "embedding_share_%": round(float(estimate.embedding_cost / estimate.total) * 100, 3),
                    })
            round_money(pd.DataFrame(rows).set_index(["embedding_model", "model"]), 3)
            """
        ),
        md(
            """
            The lever is on the LLM side: fewer input tokens per request, shorter answers, a cheaper model.

            ## Cost-conscious context selection

            Retrieval usually returns more text than a question needs. Here are eight chunks retrieved for one
            question, ranked by relevance, with their token counts.
            """
        ),
        code(
            """
            retrieved = json.loads((DATA / "retrieved_chunks.json").read_text(encoding="utf-8"))
            chunks = [chunk["text"] for chunk in retrieved["chunks"]]
            print("Question:", retrieved["query"])
            pd.DataFrame({
                "source": [chunk["source"] for chunk in retrieved["chunks"]],
                "tokens": [count_tokens(text, "gpt-4o") for text in chunks],
            }).rename_axis("rank")
            """
        ),
        md(
            """
            `optimize_context` keeps the best-ranked chunks that fit a token budget. With a 400-token budget it
            keeps the four best-ranked chunks (booking, safety and what can be fixed) and leaves out costs,
            volunteers and the café's history.
            """
        ),
        code(
            """
            selection = optimize_context(chunks, max_tokens=400, model="gpt-4o")
            print("kept chunks   ", selection.selected_indices)
            print("skipped chunks", selection.skipped_indices)
            print(f"context tokens per query: {selection.tokens_total} -> {selection.tokens_used}")
            print(f"input cost saved per query on {selection.model}: ${selection.cost_saved}")
            """
        ),
        md(
            """
            A chunk that does not fit is skipped, and a later, shorter one can still take the rest of the budget
            (here none is short enough). Over the 150,000 queries of the scenario above, the saving on gpt-4o
            adds up to:
            """
        ),
        code(
            """
            queries_per_month = 1_000 * 5 * 30
            format_usd(selection.cost_saved * queries_per_month)
            """
        ),
        md(
            """
            ## Try it: the monthly-cost calculator

            Move the sliders to your own traffic and token sizes, and pick the models to compare. The summary
            line, the table and the chart update as you go. Each figure in the table is rounded to the cent from
            its exact value, so the LLM and embedding costs can add up to a cent more or less than the total.
            A note under the table names the models where that happens. (The widget needs a running kernel. In
            a static view of this notebook it shows no controls.)
            """
        ),
        code(
            """
            monthly_cost_calculator(MODELS)
            """,
            tags=("nbval-ignore-output",),
        ),
        md(
            """
            ## Summary

            - `calculate_cost` prices one request exactly; for gpt-4o a 1,500-in, 300-out RAG query costs
              $0.00675, and nearly half of that is the 300 output tokens.
            - After a call, price what the provider reports in `response.usage` with `cost_of`, which keeps
              cached, uncached and cache-write tokens apart. OpenAI's cached tokens are part of
              `prompt_tokens`; Anthropic's `input_tokens` leave out cache writes (1.25× the input price) and
              cache reads (0.1×). In the sandbox run, reading a 1,077-token system prompt from the cache cut
              the second Claude call to a third of the first.
            - A month of a 1,000-user chatbot costs $1,012.65 on gpt-4o and $60.90 on gpt-4o-mini, embeddings
              included; the choice of model is the largest lever.
            - An extra output token costs 4 to 8.3 times an extra input token on these models, as the price
              ratios near the top show.
            - Embeddings are a rounding error next to the LLM calls; spend the effort on the prompt and the answer.
            - A token budget on retrieved context cuts input tokens on every single query.
            """
        ),
        md(
            """
            ## Exercise 1: a cost calculator for your own chatbot

            Write `monthly_cost_by_model(system_prompt, user_messages, daily_users, models)` that returns the
            monthly cost of a chatbot, one row per model:

            - every daily user sends each message in `user_messages` once a day, for 30 days;
            - each message is its own request: the system prompt, then the user message;
            - every reply is 300 output tokens;
            - return a pandas DataFrame indexed by model with a `monthly_cost_usd` column.

            Count the input tokens of each request (the messages differ in length), price the request, and
            scale up. Fill in the function below, then run the check after it.
            """
        ),
        code(
            """
            def monthly_cost_by_model(system_prompt, user_messages, daily_users, models):
                # Your code here: return a DataFrame indexed by model with a "monthly_cost_usd" column.
                return None
            """
        ),
        code(
            """
            result = check_exercise_1(monthly_cost_by_model)
            """
        ),
        md(
            """
            Stuck? The next cell prints a hint. A worked solution is in
            [solutions/02_exercise_1_solution.ipynb](solutions/02_exercise_1_solution.ipynb).
            """
        ),
        code(
            """
            hint(1)
            """
        ),
    ],
)
