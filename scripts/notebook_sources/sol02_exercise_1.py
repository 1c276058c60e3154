"""Solution to exercise 1 (notebook 02): a monthly-cost calculator for a chatbot."""

from notebook_sources._cells import NotebookSource, code, md

NOTEBOOK = NotebookSource(
    name="solutions/02_exercise_1_solution",
    title="Solution · exercise 1: a cost calculator for your own chatbot",
    measures="A worked solution to exercise 1 of notebook 02.",
    cells=[
        md(
            """
            # Solution · exercise 1: a cost calculator for your own chatbot

            The task from [02 · Cost calculation](../02_cost_calculation.ipynb): given a system prompt, the
            messages a user is expected to send each day and the number of daily users, return the monthly cost
            on each model, one row per model. Each message is its own request (system prompt, then the message),
            every reply is 300 tokens, and a month is 30 days.

            **What you will measure**: the monthly cost of one small support bot on three models, and whether the
            solution passes the same check as the exercise.
            """
        ),
        code(
            """
            import pandas as pd

            from costkit import calculate_cost, count_message_tokens
            from costkit.exercises import check_exercise_1
            from costkit.plots import round_money
            from costkit.widgets import describe_setup

            print(describe_setup())
            """
        ),
        md(
            """
            The input tokens of one request come from `count_message_tokens`, which includes the chat framing
            (3 tokens per message and 3 for the reply). `calculate_cost` prices that request; one user's day is
            the sum over their messages, and the month multiplies by the users and the days.
            """
        ),
        code(
            """
            OUTPUT_TOKENS = 300
            DAYS = 30


            def monthly_cost_by_model(system_prompt, user_messages, daily_users, models):
                costs = []
                for model in models:
                    one_user_day = 0
                    for message in user_messages:
                        request = [{"role": "system", "content": system_prompt},
                                   {"role": "user", "content": message}]
                        input_tokens = count_message_tokens(request, model)
                        one_user_day += calculate_cost(model, input_tokens, OUTPUT_TOKENS)
                    costs.append(one_user_day * daily_users * DAYS)
                return pd.DataFrame({"monthly_cost_usd": costs}, index=pd.Index(models, name="model"))
            """
        ),
        md(
            """
            A support bot for a repair café: a short system prompt, three typical questions a day, 1,000 users.
            The function returns exact `Decimal` costs, and `round_money` rounds them to the cent for display only.
            """
        ),
        code(
            """
            system_prompt = ("You are the help desk of a repair café. Answer in at most three sentences "
                             "and say when an item needs a volunteer to look at it.")
            questions = ["Do I need to book a slot?", "Can you fix a toaster?", "What does a fuse cost?"]
            costs = monthly_cost_by_model(system_prompt, questions, 1_000, ["gpt-4o", "gpt-4o-mini", "claude-haiku-4-5"])
            round_money(costs)
            """
        ),
        md(
            """
            The same check the exercise runs:
            """
        ),
        code(
            """
            result = check_exercise_1(monthly_cost_by_model)
            """
        ),
        md(
            """
            **Why it works.** Counting the whole request, not just the text, matters more than it looks: with short
            messages, the 3 + 3 + 3 framing tokens of a two-message request are a large share of the input.
            The answer tokens dominate the bill anyway: 300 output tokens at 4–5× the input price outweigh a
            short prompt several times over, so `max_tokens` and concise answers are the first lever to pull.
            """
        ),
    ],
)
