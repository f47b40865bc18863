"""Few-shot exemplars for the CEP, AHP and CCP prompts (edit-method.md §1.2-§1.4): three per task family.

Each exemplar is ``{"q": question text, "cot": correct CoT, "wrong": wrong CoT}``. The CoTs have one
step per line and end with "Therefore, the answer is X."; the wrong CoT copies the correct one and
diverges at one step, as the paper's CCP exemplars do (§1.4).

Sources, in order:
  1. synthetic task families (and BBH tasks of the same name) take theirs from the generator with a fixed
     seed: ``gold_cot`` for the correct CoT, ``corrupt_cot`` for the wrong one;
  2. hand-written exemplars for the BBH/BIG-bench families in ``HAND_WRITTEN`` (written for this project;
     the out-of-domain BB-sub tasks' ones live in ``exemplars_bbsub``);
  3. ``GENERIC``: a task-agnostic fallback (multiple choice, yes/no, number) that works for any task.
The family of a task is its name up to the first "." ("logical_deduction.three_objects" ->
"logical_deduction").
"""

from __future__ import annotations

import functools

from edit_ray.config import SYNTHETIC_TASKS
from edit_ray.prompts.exemplars_bbsub import BBSUB_HAND_WRITTEN

Exemplar = dict[str, str]
EXEMPLAR_SEED = 12345  # synthetic exemplars; the data itself is generated with the run seed

GENERIC: list[Exemplar] = [
    {
        "q": "Which of these animals is a mammal?\nOptions:\n(A) shark\n(B) dolphin\n(C) trout",
        "cot": "Sharks and trout are fish: they breathe through gills.\n"
               "Dolphins breathe air, are warm-blooded and feed their young with milk, so they are mammals.\n"
               "Therefore, the answer is (B).",
        "wrong": "Sharks and trout are fish: they breathe through gills.\n"
                 "Dolphins live in the sea like fish, so they are fish too, and the shark is the mammal.\n"
                 "Therefore, the answer is (A).",
    },
    {
        "q": "Is the following sentence plausible? \"The cat barked at the mail carrier.\"",
        "cot": "Cats meow and hiss; barking is the sound dogs make.\n"
               "So a cat barking is not plausible.\n"
               "Therefore, the answer is No.",
        "wrong": "Cats meow and hiss; barking is the sound dogs make.\n"
                 "Pets often copy each other's sounds, so a cat barking is plausible.\n"
                 "Therefore, the answer is Yes.",
    },
    {
        "q": "A shop sells pens at 3 dollars each. Tom buys 4 pens and pays with a 20-dollar bill. "
             "How much change, in dollars, does he get?",
        "cot": "4 pens cost 4 * 3 = 12 dollars.\n"
               "The change is 20 - 12 = 8 dollars.\n"
               "Therefore, the answer is 8.",
        "wrong": "4 pens cost 4 * 3 = 12 dollars.\n"
                 "The change is 20 - 12 = 6 dollars.\n"
                 "Therefore, the answer is 6.",
    },
]

# salient_translation_error_detection: every question repeats the task's list of error types word for word.
_TRANSLATION_ERRORS = (
    "The following translations from German to English contain a particular error. That error will be one of "
    "the following types:\n"
    "Named Entities: An entity (names, places, locations, etc.) is changed to a different entity.\n"
    "Numerical Values: Numerical values (ordinals or cardinals), dates, and/or units are changed.\n"
    "Modifiers or Adjectives: The modifiers and adjectives pertaining to a noun are changed.\n"
    "Negation or Antonyms: Introduce or remove a negation or change comparatives to their antonyms.\n"
    "Facts: Trivial factual errors not pertaining to the above classes are introduced in the translations.\n"
    "Dropped Content: A significant clause in the translation is removed.\n"
    "Please identify that error.\n\n"
)
_TRANSLATION_TAIL = "The translation contains an error pertaining to\nOptions:\n"

HAND_WRITTEN: dict[str, list[Exemplar]] = {
    "date_understanding": [
        {
            "q": "Yesterday was 04/30/2021. What is the date today in MM/DD/YYYY?\n"
                 "Options:\n(A) 05/01/2021\n(B) 04/29/2021\n(C) 05/31/2021\n(D) 04/31/2021",
            "cot": "Yesterday was 04/30/2021.\n"
                   "April has 30 days, so the day after 04/30/2021 is 05/01/2021.\n"
                   "Today is 05/01/2021.\n"
                   "Therefore, the answer is (A).",
            "wrong": "Yesterday was 04/30/2021.\n"
                     "April has 31 days, so the day after 04/30/2021 is 04/31/2021.\n"
                     "Today is 04/31/2021.\n"
                     "Therefore, the answer is (D).",
        },
        {
            "q": "Today is Christmas Eve of 1937. What is the date 10 days ago in MM/DD/YYYY?\n"
                 "Options:\n(A) 12/14/1988\n(B) 12/14/1937\n(C) 12/04/1937\n(D) 12/24/1937",
            "cot": "Christmas Eve is December 24, so today is 12/24/1937.\n"
                   "10 days before 12/24/1937 is 12/14/1937.\n"
                   "Therefore, the answer is (B).",
            "wrong": "Christmas Eve is December 24, so today is 12/24/1937.\n"
                     "10 days before 12/24/1937 is 12/04/1937.\n"
                     "Therefore, the answer is (C).",
        },
        {
            "q": "Jane's appointment is on 03/01/2020, one week from today. What is the date today in MM/DD/YYYY?\n"
                 "Options:\n(A) 02/23/2020\n(B) 02/22/2020\n(C) 03/08/2020\n(D) 02/24/2020",
            "cot": "The appointment on 03/01/2020 is one week (7 days) from today.\n"
                   "2020 is a leap year, so February 2020 has 29 days.\n"
                   "7 days before 03/01/2020 is 02/23/2020.\n"
                   "Therefore, the answer is (A).",
            "wrong": "The appointment on 03/01/2020 is one week (7 days) from today.\n"
                     "February always has 28 days, so February 2020 has 28 days.\n"
                     "7 days before 03/01/2020 is 02/22/2020.\n"
                     "Therefore, the answer is (B).",
        },
    ],
    "formal_fallacies_syllogisms_negation": [
        {
            "q": "\"Every cousin of Anna is a friend of Bea. Carl is a cousin of Anna. Therefore, Carl is a "
                 "friend of Bea.\" Is the argument, given the explicitly stated premises, deductively valid or "
                 "invalid?\nOptions:\n(A) valid\n(B) invalid",
            "cot": "Premise 1: every cousin of Anna is a friend of Bea.\n"
                   "Premise 2: Carl is a cousin of Anna.\n"
                   "By premise 1 applied to Carl, Carl is a friend of Bea, which is the conclusion.\n"
                   "So the argument is valid.\n"
                   "Therefore, the answer is (A).",
            "wrong": "Premise 1: every cousin of Anna is a friend of Bea.\n"
                     "Premise 2: Carl is a cousin of Anna.\n"
                     "Premise 1 only talks about cousins in general, so it says nothing about Carl.\n"
                     "So the argument is invalid.\n"
                     "Therefore, the answer is (B).",
        },
        {
            "q": "\"Every fan of the club is a local. Dan is a local. Therefore, Dan is a fan of the club.\" Is "
                 "the argument, given the explicitly stated premises, deductively valid or invalid?\n"
                 "Options:\n(A) valid\n(B) invalid",
            "cot": "Premise 1: every fan of the club is a local.\n"
                   "Premise 2: Dan is a local.\n"
                   "Premise 1 does not say that every local is a fan, so Dan may be a local who is not a fan.\n"
                   "So the argument is invalid.\n"
                   "Therefore, the answer is (B).",
            "wrong": "Premise 1: every fan of the club is a local.\n"
                     "Premise 2: Dan is a local.\n"
                     "Premise 1 means that fans and locals are the same people, so Dan is a fan.\n"
                     "So the argument is valid.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": "\"No nurse is a pilot. Eve is a nurse. Therefore, Eve is not a pilot.\" Is the argument, given "
                 "the explicitly stated premises, deductively valid or invalid?\nOptions:\n(A) valid\n(B) invalid",
            "cot": "Premise 1: no nurse is a pilot.\n"
                   "Premise 2: Eve is a nurse.\n"
                   "By premise 1, a nurse cannot be a pilot, so Eve is not a pilot, which is the conclusion.\n"
                   "So the argument is valid.\n"
                   "Therefore, the answer is (A).",
            "wrong": "Premise 1: no nurse is a pilot.\n"
                     "Premise 2: Eve is a nurse.\n"
                     "Premise 1 is about nurses in general; Eve could still train as a pilot.\n"
                     "So the argument is invalid.\n"
                     "Therefore, the answer is (B).",
        },
    ],
    "logical_deduction": [
        {
            "q": "On a shelf, there are three books: a red book, a green book, and a blue book. The blue book is "
                 "to the right of the green book. The green book is to the right of the red book.\n"
                 "Options:\n(A) The red book is the leftmost.\n(B) The green book is the leftmost.\n"
                 "(C) The blue book is the leftmost.",
            "cot": "The green book is to the right of the red book: red < green.\n"
                   "The blue book is to the right of the green book: green < blue.\n"
                   "So the order from left to right is red, green, blue.\n"
                   "The leftmost book is the red book.\n"
                   "Therefore, the answer is (A).",
            "wrong": "The green book is to the right of the red book: red < green.\n"
                     "The blue book is to the right of the green book: blue < green.\n"
                     "So the order from left to right is blue, red, green.\n"
                     "The leftmost book is the blue book.\n"
                     "Therefore, the answer is (C).",
        },
        {
            "q": "In a race, Ann, Ben and Cy finished. Ben finished before Cy. Ann finished last.\n"
                 "Options:\n(A) Ann finished first.\n(B) Ben finished first.\n(C) Cy finished first.",
            "cot": "Ann finished last, so Ann is third.\n"
                   "Ben finished before Cy, so Ben is first and Cy is second.\n"
                   "Therefore, the answer is (B).",
            "wrong": "Ann finished last, so Ann is third.\n"
                     "Ben finished before Cy, so Cy is first and Ben is second.\n"
                     "Therefore, the answer is (C).",
        },
        {
            "q": "A fruit stand sells apples, pears and plums. The pears are the cheapest. The plums are more "
                 "expensive than the apples.\nOptions:\n(A) The apples are the most expensive.\n"
                 "(B) The pears are the most expensive.\n(C) The plums are the most expensive.",
            "cot": "The pears are the cheapest.\n"
                   "The plums are more expensive than the apples: apples < plums.\n"
                   "So the order from cheapest is pears, apples, plums, and the plums are the most expensive.\n"
                   "Therefore, the answer is (C).",
            "wrong": "The pears are the cheapest.\n"
                     "The plums are more expensive than the apples: plums < apples.\n"
                     "So the order from cheapest is pears, plums, apples, and the apples are the most expensive.\n"
                     "Therefore, the answer is (A).",
        },
    ],
    "sports_understanding": [
        {
            "q": "Is the following sentence plausible? \"Lionel Messi scored a penalty kick.\"\n"
                 "Options:\n(A) plausible\n(B) implausible",
            "cot": "Lionel Messi is a soccer player.\n"
                   "Scoring a penalty kick is part of soccer.\n"
                   "So the sentence is plausible.\n"
                   "Therefore, the answer is (A).",
            "wrong": "Lionel Messi is a soccer player.\n"
                     "Penalty kicks are taken in rugby, not in soccer.\n"
                     "So the sentence is implausible.\n"
                     "Therefore, the answer is (B).",
        },
        {
            "q": "Is the following sentence plausible? \"Tom Brady hit a three-pointer.\"\n"
                 "Options:\n(A) plausible\n(B) implausible",
            "cot": "Tom Brady is an American football player.\n"
                   "A three-pointer is a basketball shot.\n"
                   "So the sentence is implausible.\n"
                   "Therefore, the answer is (B).",
            "wrong": "Tom Brady is an American football player.\n"
                     "A three-pointer is a field goal in American football.\n"
                     "So the sentence is plausible.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": "Is the following sentence plausible? \"Serena Williams served an ace.\"\n"
                 "Options:\n(A) plausible\n(B) implausible",
            "cot": "Serena Williams is a tennis player.\n"
                   "An ace is a serve the opponent cannot touch, a tennis term.\n"
                   "So the sentence is plausible.\n"
                   "Therefore, the answer is (A).",
            "wrong": "Serena Williams is a tennis player.\n"
                     "An ace is a card in poker, not a tennis serve.\n"
                     "So the sentence is implausible.\n"
                     "Therefore, the answer is (B).",
        },
    ],
    "navigate": [
        {
            "q": "If you follow these instructions, do you return to the starting point? Always face forward. "
                 "Take 2 steps forward. Take 3 steps backward. Take 1 step forward.\nOptions:\n(A) True\n(B) False",
            "cot": "We start at position 0, facing forward.\n"
                   "2 steps forward: 0 + 2 = 2.\n"
                   "3 steps backward: 2 - 3 = -1.\n"
                   "1 step forward: -1 + 1 = 0.\n"
                   "We end at 0, the starting point.\n"
                   "Therefore, the answer is (A).",
            "wrong": "We start at position 0, facing forward.\n"
                     "2 steps forward: 0 + 2 = 2.\n"
                     "3 steps backward: 2 - 3 = 1.\n"
                     "1 step forward: 1 + 1 = 2.\n"
                     "We end at 2, not the starting point.\n"
                     "Therefore, the answer is (B).",
        },
        {
            "q": "If you follow these instructions, do you return to the starting point? Take 4 steps. Turn "
                 "around. Take 4 steps.\nOptions:\n(A) True\n(B) False",
            "cot": "We start at 0, facing forward.\n"
                   "4 steps forward: 0 + 4 = 4.\n"
                   "Turn around: we now face backward.\n"
                   "4 steps backward: 4 - 4 = 0.\n"
                   "We end at 0, the starting point.\n"
                   "Therefore, the answer is (A).",
            "wrong": "We start at 0, facing forward.\n"
                     "4 steps forward: 0 + 4 = 4.\n"
                     "Turn around: turning does not change where we walk.\n"
                     "4 steps forward: 4 + 4 = 8.\n"
                     "We end at 8, not the starting point.\n"
                     "Therefore, the answer is (B).",
        },
        {
            "q": "If you follow these instructions, do you return to the starting point? Always face forward. "
                 "Take 5 steps left. Take 2 steps right.\nOptions:\n(A) True\n(B) False",
            "cot": "We start at x = 0, facing forward.\n"
                   "5 steps left: x = 0 - 5 = -5.\n"
                   "2 steps right: x = -5 + 2 = -3.\n"
                   "We end at x = -3, not the starting point.\n"
                   "Therefore, the answer is (B).",
            "wrong": "We start at x = 0, facing forward.\n"
                     "5 steps left: x = 0 - 5 = -5.\n"
                     "2 steps right: x = -5 + 5 = 0.\n"
                     "We end at x = 0, the starting point.\n"
                     "Therefore, the answer is (A).",
        },
    ],
    "causal_judgment": [
        {
            "q": "How would a typical person answer each of the following questions about causation?\n"
                 "A machine breaks if two workers press its button at the same time. Ann presses it, knowing Bob "
                 "is not allowed to. Bob, breaking the rules, presses it at the same time. The machine breaks. "
                 "Did Bob cause the machine to break?\nOptions:\n(A) Yes\n(B) No",
            "cot": "The machine breaks only when both press the button.\n"
                   "Bob was not allowed to press it and broke the rule.\n"
                   "People tend to blame the agent who violated a norm.\n"
                   "So a typical person would say Bob caused it.\n"
                   "Therefore, the answer is (A).",
            "wrong": "The machine breaks only when both press the button.\n"
                     "Bob was not allowed to press it and broke the rule.\n"
                     "Since Ann pressed it too, people think Bob made no difference.\n"
                     "So a typical person would say Bob did not cause it.\n"
                     "Therefore, the answer is (B).",
        },
        {
            "q": "How would a typical person answer each of the following questions about causation?\n"
                 "Lisa waters her neighbour's plants every day. One day she forgets, and the plants die. Did "
                 "Lisa's forgetting cause the plants to die?\nOptions:\n(A) Yes\n(B) No",
            "cot": "Lisa was expected to water the plants every day.\n"
                   "She failed to do what was expected, and without water the plants died.\n"
                   "A typical person treats her omission as the cause.\n"
                   "Therefore, the answer is (A).",
            "wrong": "Lisa was expected to water the plants every day.\n"
                     "Not doing something cannot cause anything, so the plants died on their own.\n"
                     "A typical person does not treat her omission as the cause.\n"
                     "Therefore, the answer is (B).",
        },
        {
            "q": "How would a typical person answer each of the following questions about causation?\n"
                 "Sam flips a light switch at the exact moment a storm cuts the power in the whole town. The "
                 "lights go out. Did Sam cause the lights to go out?\nOptions:\n(A) Yes\n(B) No",
            "cot": "The storm cut the power for the whole town.\n"
                   "Flipping a switch during the outage made no difference: the lights would be out anyway.\n"
                   "So a typical person would say Sam did not cause it.\n"
                   "Therefore, the answer is (B).",
            "wrong": "The storm cut the power for the whole town.\n"
                     "Sam flipped the switch at that exact moment, so his action turned the lights off.\n"
                     "So a typical person would say Sam caused it.\n"
                     "Therefore, the answer is (A).",
        },
    ],
    "word_sorting": [
        {
            "q": "Sort the following words alphabetically: List: pear apple mango",
            "cot": "The first letters are: pear (p), apple (a), mango (m).\n"
                   "In alphabetical order: a < m < p.\n"
                   "So the sorted list is apple mango pear.\n"
                   "Therefore, the answer is apple mango pear.",
            "wrong": "The first letters are: pear (p), apple (a), mango (m).\n"
                     "In alphabetical order: a < p < m.\n"
                     "So the sorted list is apple pear mango.\n"
                     "Therefore, the answer is apple pear mango.",
        },
        {
            "q": "Sort the following words alphabetically: List: zebra yak",
            "cot": "The first letters are: zebra (z), yak (y).\n"
                   "In alphabetical order: y < z.\n"
                   "So the sorted list is yak zebra.\n"
                   "Therefore, the answer is yak zebra.",
            "wrong": "The first letters are: zebra (z), yak (y).\n"
                     "In alphabetical order: z < y.\n"
                     "So the sorted list is zebra yak.\n"
                     "Therefore, the answer is zebra yak.",
        },
        {
            "q": "Sort the following words alphabetically: List: cat car cab",
            "cot": "All words start with 'ca', so we compare the third letters: cat (t), car (r), cab (b).\n"
                   "In alphabetical order: b < r < t.\n"
                   "So the sorted list is cab car cat.\n"
                   "Therefore, the answer is cab car cat.",
            "wrong": "All words start with 'ca', so we compare the third letters: cat (t), car (r), cab (b).\n"
                     "In alphabetical order: b < t < r.\n"
                     "So the sorted list is cab cat car.\n"
                     "Therefore, the answer is cab cat car.",
        },
    ],
    "dyck_languages": [
        {
            "q": "Complete the rest of the sequence, making sure that the parentheses are closed properly.\n"
                 "Input: [ ( {",
            "cot": "We push each opening bracket on a stack: [ then ( then {.\n"
                   "The stack is [ ( { with { on top.\n"
                   "We close them from the top: } then ) then ].\n"
                   "Therefore, the answer is } ) ].",
            "wrong": "We push each opening bracket on a stack: [ then ( then {.\n"
                     "The stack is [ ( { with [ on top.\n"
                     "We close them from the top: ] then ) then }.\n"
                     "Therefore, the answer is ] ) }.",
        },
        {
            "q": "Complete the rest of the sequence, making sure that the parentheses are closed properly.\n"
                 "Input: < [ ]",
            "cot": "We push <, then push [, then ] closes [.\n"
                   "The stack is < with < on top.\n"
                   "We close it: >.\n"
                   "Therefore, the answer is >.",
            "wrong": "We push <, then push [, then ] closes [.\n"
                     "The stack is < [ with [ on top.\n"
                     "We close them from the top: ] then >.\n"
                     "Therefore, the answer is ] >.",
        },
        {
            "q": "Complete the rest of the sequence, making sure that the parentheses are closed properly.\n"
                 "Input: ( ( )",
            "cot": "We push (, push (, then ) closes the second (.\n"
                   "The stack is ( with ( on top.\n"
                   "We close it: ).\n"
                   "Therefore, the answer is ).",
            "wrong": "We push (, push (, then ) closes the second (.\n"
                     "The stack is ( ( with ( on top.\n"
                     "We close them from the top: ) then ).\n"
                     "Therefore, the answer is ) ).",
        },
    ],
    "hyperbaton": [
        {
            "q": "Which sentence has the correct adjective order: a \" old red wooden chair \" b \" wooden red old "
                 "chair \" ?\nOptions:\n(A) a\n(B) b",
            "cot": "English adjective order: opinion, size, age, shape, color, origin, material, purpose.\n"
                   "Option a: old (age), red (color), wooden (material): age < color < material, correct.\n"
                   "Option b: wooden (material), red (color), old (age): material before age, wrong.\n"
                   "Therefore, the answer is (A).",
            "wrong": "English adjective order: opinion, size, age, shape, color, origin, material, purpose.\n"
                     "Option a: old (age), red (color), wooden (material): age before material, wrong.\n"
                     "Option b: wooden (material), red (color), old (age): material < color < age, correct.\n"
                     "Therefore, the answer is (B).",
        },
        {
            "q": "Which sentence has the correct adjective order: a \" big lovely house \" b \" lovely big house \" ?\n"
                 "Options:\n(A) a\n(B) b",
            "cot": "English adjective order: opinion, size, age, shape, color, origin, material, purpose.\n"
                   "Option a: big (size), lovely (opinion): size before opinion, wrong.\n"
                   "Option b: lovely (opinion), big (size): opinion < size, correct.\n"
                   "Therefore, the answer is (B).",
            "wrong": "English adjective order: opinion, size, age, shape, color, origin, material, purpose.\n"
                     "Option a: big (size), lovely (opinion): size < opinion, correct.\n"
                     "Option b: lovely (opinion), big (size): opinion before size, wrong.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": "Which sentence has the correct adjective order: a \" small Italian leather bag \" b \" leather "
                 "small Italian bag \" ?\nOptions:\n(A) a\n(B) b",
            "cot": "English adjective order: opinion, size, age, shape, color, origin, material, purpose.\n"
                   "Option a: small (size), Italian (origin), leather (material): size < origin < material, "
                   "correct.\n"
                   "Option b: leather (material), small (size), Italian (origin): material before size, wrong.\n"
                   "Therefore, the answer is (A).",
            "wrong": "English adjective order: opinion, size, age, shape, color, origin, material, purpose.\n"
                     "Option a: small (size), Italian (origin), leather (material): origin must come last, wrong.\n"
                     "Option b: leather (material), small (size), Italian (origin): origin last, correct.\n"
                     "Therefore, the answer is (B).",
        },
    ],
    "temporal_sequences": [
        {
            "q": "Today, Mia went to the library. Between what times could they have gone?\nWe know that:\n"
                 "Mia woke up at 7am.\nTom saw Mia at the gym from 7am to 9am.\nAna saw Mia at work from 9am to "
                 "5pm.\nThe library was closed after 8pm.\nBetween what times could Mia have gone to the library?"
                 "\nOptions:\n(A) 7am to 9am\n(B) 9am to 5pm\n(C) 5pm to 8pm",
            "cot": "Mia woke up at 7am.\n"
                   "From 7am to 9am she was at the gym, and from 9am to 5pm at work.\n"
                   "The library closed at 8pm, so the only free time is 5pm to 8pm.\n"
                   "Therefore, the answer is (C).",
            "wrong": "Mia woke up at 7am.\n"
                     "From 7am to 9am she was at the gym, and at 9am she was free until work.\n"
                     "The library closed at 8pm, so she went between 9am and 5pm.\n"
                     "Therefore, the answer is (B).",
        },
        {
            "q": "Today, Leo went to the bakery. Between what times could they have gone?\nWe know that:\n"
                 "Leo woke up at 6am.\nSue saw Leo jogging from 8am to 10am.\nKim saw Leo at a cafe from 10am to "
                 "11am.\nThe bakery was closed after 11am.\nBetween what times could Leo have gone to the bakery?"
                 "\nOptions:\n(A) 6am to 8am\n(B) 8am to 10am\n(C) 10am to 11am",
            "cot": "Leo woke up at 6am.\n"
                   "He was seen from 8am to 10am and from 10am to 11am, and the bakery closed after 11am.\n"
                   "The only free time is 6am to 8am.\n"
                   "Therefore, the answer is (A).",
            "wrong": "Leo woke up at 6am.\n"
                     "Jogging from 8am to 10am could pass the bakery, so he was free then.\n"
                     "So he went between 8am and 10am.\n"
                     "Therefore, the answer is (B).",
        },
        {
            "q": "Today, Zoe went to the museum. Between what times could they have gone?\nWe know that:\n"
                 "Zoe woke up at 9am.\nRay saw Zoe at the park from 9am to 1pm.\nThe museum was closed after 3pm.\n"
                 "Between what times could Zoe have gone to the museum?\nOptions:\n(A) 9am to 1pm\n(B) 1pm to 3pm\n"
                 "(C) 3pm to 5pm",
            "cot": "Zoe woke up at 9am and was at the park from 9am to 1pm.\n"
                   "The museum closed after 3pm, so she could go from 1pm to 3pm.\n"
                   "Therefore, the answer is (B).",
            "wrong": "Zoe woke up at 9am and was at the park from 9am to 1pm.\n"
                     "The museum closed after 3pm, so she went after it closed, from 3pm to 5pm.\n"
                     "Therefore, the answer is (C).",
        },
    ],
    "penguins_in_a_table": [
        {
            "q": "Here is a table where the first line is a header and each subsequent line is a penguin:\n\n"
                 "name, age, height (cm), weight (kg)\nLouis, 7, 50, 11\nBernard, 5, 80, 13\nVincent, 9, 60, 11\n"
                 "Gwen, 8, 70, 15\n\nHow many penguins are more than 6 years old?\n"
                 "Options:\n(A) 1\n(B) 2\n(C) 3\n(D) 4",
            "cot": "The ages are: Louis 7, Bernard 5, Vincent 9, Gwen 8.\n"
                   "More than 6: Louis (7), Vincent (9), Gwen (8), that is 3 penguins.\n"
                   "Therefore, the answer is (C).",
            "wrong": "The ages are: Louis 7, Bernard 5, Vincent 9, Gwen 8.\n"
                     "More than 6: Vincent (9), Gwen (8), that is 2 penguins.\n"
                     "Therefore, the answer is (B).",
        },
        {
            "q": "Here is a table where the first line is a header and each subsequent line is a penguin:\n\n"
                 "name, age, height (cm), weight (kg)\nLouis, 7, 50, 11\nBernard, 5, 80, 13\nVincent, 9, 60, 11\n"
                 "Gwen, 8, 70, 15\n\nWhich penguin is the tallest?\n"
                 "Options:\n(A) Louis\n(B) Bernard\n(C) Vincent\n(D) Gwen",
            "cot": "The heights are: Louis 50 cm, Bernard 80 cm, Vincent 60 cm, Gwen 70 cm.\n"
                   "The largest height is 80 cm, Bernard's.\n"
                   "Therefore, the answer is (B).",
            "wrong": "The heights are: Louis 50 cm, Bernard 80 cm, Vincent 60 cm, Gwen 70 cm.\n"
                     "The largest height is 70 cm, Gwen's.\n"
                     "Therefore, the answer is (D).",
        },
        {
            "q": "Here is a table where the first line is a header and each subsequent line is a penguin:\n\n"
                 "name, age, height (cm), weight (kg)\nLouis, 7, 50, 11\nBernard, 5, 80, 13\nVincent, 9, 60, 11\n"
                 "Gwen, 8, 70, 15\n\nWe now add a penguin: James, 12, 90, 12. What is the total weight of the "
                 "penguins, in kg?\nOptions:\n(A) 50\n(B) 62\n(C) 60\n(D) 52",
            "cot": "The weights are: Louis 11, Bernard 13, Vincent 11, Gwen 15, James 12.\n"
                   "11 + 13 + 11 + 15 + 12 = 62.\n"
                   "Therefore, the answer is (B).",
            "wrong": "The weights are: Louis 11, Bernard 13, Vincent 11, Gwen 15, James 12.\n"
                     "11 + 13 + 11 + 15 + 12 = 60.\n"
                     "Therefore, the answer is (C).",
        },
    ],
    "disambiguation_qa": [
        {
            "q": "In the following sentences, explain the antecedent of the pronoun (which thing the pronoun "
                 "refers to), or state that it is ambiguous.\nSentence: The nurse thanked the doctor because she "
                 "was helpful.\nOptions:\n(A) The nurse was helpful\n(B) The doctor was helpful\n(C) Ambiguous",
            "cot": "The pronoun 'she' could refer to the nurse or the doctor.\n"
                   "People thank someone for that person's help, so the one who was helpful is the doctor.\n"
                   "Therefore, the answer is (B).",
            "wrong": "The pronoun 'she' could refer to the nurse or the doctor.\n"
                     "The nurse is the subject of the sentence, so 'she' is the nurse.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": "In the following sentences, explain the antecedent of the pronoun (which thing the pronoun "
                 "refers to), or state that it is ambiguous.\nSentence: Alex told Sam that he would win.\n"
                 "Options:\n(A) Alex would win\n(B) Sam would win\n(C) Ambiguous",
            "cot": "The pronoun 'he' could refer to Alex or Sam.\n"
                   "Nothing in the sentence tells which one would win.\n"
                   "Therefore, the answer is (C).",
            "wrong": "The pronoun 'he' could refer to Alex or Sam.\n"
                     "Alex is the one speaking, so 'he' must be Alex.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": "In the following sentences, explain the antecedent of the pronoun (which thing the pronoun "
                 "refers to), or state that it is ambiguous.\nSentence: The chef gave the waiter a tip because he "
                 "served the food quickly.\nOptions:\n(A) The chef served the food\n(B) The waiter served the food"
                 "\n(C) Ambiguous",
            "cot": "The pronoun 'he' could refer to the chef or the waiter.\n"
                   "Waiters serve food and get tips for it, so 'he' is the waiter.\n"
                   "Therefore, the answer is (B).",
            "wrong": "The pronoun 'he' could refer to the chef or the waiter.\n"
                     "Either could have served the food, so it is ambiguous.\n"
                     "Therefore, the answer is (C).",
        },
    ],
    "geometric_shapes": [
        {
            "q": "This SVG path element <path d=\"M 10,10 L 20,10 L 15,20 L 10,10\"/> draws a\n"
                 "Options:\n(A) triangle\n(B) rectangle\n(C) line\n(D) pentagon",
            "cot": "The path visits (10,10), (20,10), (15,20) and returns to (10,10).\n"
                   "It is closed with 3 distinct vertices, so it is a triangle.\n"
                   "Therefore, the answer is (A).",
            "wrong": "The path visits (10,10), (20,10), (15,20) and returns to (10,10).\n"
                     "It has 4 points, so it is a rectangle.\n"
                     "Therefore, the answer is (B).",
        },
        {
            "q": "This SVG path element <path d=\"M 5,5 L 40,30\"/> draws a\n"
                 "Options:\n(A) circle\n(B) line\n(C) triangle\n(D) kite",
            "cot": "The path moves to (5,5) and draws one segment to (40,30).\n"
                   "A single segment that does not close is a line.\n"
                   "Therefore, the answer is (B).",
            "wrong": "The path moves to (5,5) and draws one segment to (40,30).\n"
                     "Two points define the diameter of a circle, so it is a circle.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": "This SVG path element <path d=\"M 0,0 L 0,10 L 20,10 L 20,0 L 0,0\"/> draws a\n"
                 "Options:\n(A) kite\n(B) hexagon\n(C) rectangle\n(D) triangle",
            "cot": "The path visits (0,0), (0,10), (20,10), (20,0) and returns to (0,0).\n"
                   "It is closed with 4 vertices, and its sides are 10, 20, 10, 20 at right angles.\n"
                   "So it is a rectangle.\n"
                   "Therefore, the answer is (C).",
            "wrong": "The path visits (0,0), (0,10), (20,10), (20,0) and returns to (0,0).\n"
                     "It is closed with 4 vertices, and two pairs of adjacent sides are equal.\n"
                     "So it is a kite.\n"
                     "Therefore, the answer is (A).",
        },
    ],
    "reasoning_about_colored_objects": [
        {
            "q": "On the table, you see a red pen, a blue cup, and a green book. What color is the cup?\n"
                 "Options:\n(A) red\n(B) blue\n(C) green",
            "cot": "The items are: a red pen, a blue cup, a green book.\n"
                   "The cup is blue.\n"
                   "Therefore, the answer is (B).",
            "wrong": "The items are: a red pen, a blue cup, a green book.\n"
                     "The cup is next to the book, so the cup is green.\n"
                     "Therefore, the answer is (C).",
        },
        {
            "q": "On the desk, there are two yellow keys, one black mug and one yellow mug. If I remove all the "
                 "mugs, how many yellow items remain?",
            "cot": "Yellow items: two yellow keys and one yellow mug, 3 in all.\n"
                   "Removing all mugs removes the yellow mug: 3 - 1 = 2.\n"
                   "Therefore, the answer is 2.",
            "wrong": "Yellow items: two yellow keys and one yellow mug, 3 in all.\n"
                     "Removing all mugs removes both mugs: 3 - 2 = 1.\n"
                     "Therefore, the answer is 1.",
        },
        {
            "q": "On the floor, I see a purple ball, an orange hat and a purple shoe arranged in a row. What is "
                 "the color of the left-most item?\nOptions:\n(A) purple\n(B) orange\n(C) black",
            "cot": "The row from left to right is: purple ball, orange hat, purple shoe.\n"
                   "The left-most item is the purple ball.\n"
                   "Therefore, the answer is (A).",
            "wrong": "The row from left to right is: purple ball, orange hat, purple shoe.\n"
                     "The left-most item is the orange hat.\n"
                     "Therefore, the answer is (B).",
        },
    ],
    "movie_recommendation": [
        {
            "q": "Find a movie similar to Toy Story, Finding Nemo, The Incredibles, Monsters Inc:\n"
                 "Options:\n(A) Schindler's List\n(B) Up\n(C) The Exorcist\n(D) Saving Private Ryan",
            "cot": "Toy Story, Finding Nemo, The Incredibles and Monsters Inc are all Pixar animated family films.\n"
                   "Schindler's List and Saving Private Ryan are war dramas, and The Exorcist is a horror film.\n"
                   "Up is a Pixar animated family film, so it matches the list best.\n"
                   "Therefore, the answer is (B).",
            "wrong": "Toy Story, Finding Nemo, The Incredibles and Monsters Inc are all Pixar animated family films.\n"
                     "Schindler's List and Saving Private Ryan are war dramas, and The Exorcist is a horror film.\n"
                     "Saving Private Ryan, like Finding Nemo, is about a search for someone who is missing, so it "
                     "matches the list best.\n"
                     "Therefore, the answer is (D).",
        },
        {
            "q": "Find a movie similar to The Godfather, Goodfellas, Scarface, The Departed:\n"
                 "Options:\n(A) Finding Dory\n(B) Mamma Mia!\n(C) Casino\n(D) Frozen",
            "cot": "The Godfather, Goodfellas, Scarface and The Departed are all crime films about gangsters.\n"
                   "Finding Dory and Frozen are animated family films, and Mamma Mia! is a musical comedy.\n"
                   "Casino is a Martin Scorsese gangster film, like Goodfellas and The Departed.\n"
                   "Therefore, the answer is (C).",
            "wrong": "The Godfather, Goodfellas, Scarface and The Departed are all crime films about gangsters.\n"
                     "Finding Dory and Frozen are animated family films, and Mamma Mia! is a musical comedy.\n"
                     "Mamma Mia!, like The Godfather, is a story about a family and a wedding, so it matches the "
                     "list best.\n"
                     "Therefore, the answer is (B).",
        },
        {
            "q": "Find a movie similar to The Matrix, Terminator 2 Judgment Day, Blade Runner, Inception:\n"
                 "Options:\n(A) Total Recall\n(B) The Notebook\n(C) Notting Hill\n(D) Bambi",
            "cot": "The Matrix, Terminator 2 Judgment Day, Blade Runner and Inception are science fiction action "
                   "films.\n"
                   "The Notebook and Notting Hill are romantic films, and Bambi is an animated family film.\n"
                   "Total Recall is a science fiction action film, so it matches the list best.\n"
                   "Therefore, the answer is (A).",
            "wrong": "The Matrix, Terminator 2 Judgment Day, Blade Runner and Inception are science fiction action "
                     "films.\n"
                     "The Notebook and Notting Hill are romantic films, and Bambi is an animated family film.\n"
                     "Notting Hill stars Harrison Ford, like Blade Runner, so it matches the list best.\n"
                     "Therefore, the answer is (C).",
        },
    ],
    "ruin_names": [
        {
            "q": "Which of the following is a humorous edit of this artist or movie name: 'the beatles'?\n"
                 "Options:\n(A) the beatle\n(B) the beagles\n(C) thw beatles\n(D) the beatlse",
            "cot": "The original name is 'the beatles', the rock band.\n"
                   "'the beagles' turns the band into a breed of dog: a real word that makes a funny pun.\n"
                   "'the beatle', 'thw beatles' and 'the beatlse' only drop or swap letters: typos, not jokes.\n"
                   "Therefore, the answer is (B).",
            "wrong": "The original name is 'the beatles', the rock band.\n"
                     "'the beagles' turns the band into a breed of dog: a real word that makes a funny pun.\n"
                     "'the beatlse' changes the most letters, so it ruins the name the most.\n"
                     "Therefore, the answer is (D).",
        },
        {
            "q": "Which of the following is a humorous edit of this artist or movie name: 'the rolling stones'?\n"
                 "Options:\n(A) the rollnig stones\n(B) the rolling stone\n(C) thw rolling stones\n"
                 "(D) the rolling scones",
            "cot": "The original name is 'the rolling stones', the rock band.\n"
                   "'the rolling scones' turns the stones into scones, a pastry: a real word that makes a funny "
                   "image.\n"
                   "The other options only misspell the name or drop a letter, which is not funny.\n"
                   "Therefore, the answer is (D).",
            "wrong": "The original name is 'the rolling stones', the rock band.\n"
                     "'the rolling scones' changes only one letter, so it is a typo like the others.\n"
                     "'the rolling stone' leaves the band with a single stone, which is the joke.\n"
                     "Therefore, the answer is (B).",
        },
        {
            "q": "Which of the following is a humorous edit of this artist or movie name: 'the godfather'?\n"
                 "Options:\n(A) the dogfather\n(B) the godfathr\n(C) the godfatherr\n(D) thegodfather",
            "cot": "The original name is 'the godfather', the gangster film.\n"
                   "'the dogfather' swaps 'god' for 'dog': a mafia boss who is a dog, a funny pun.\n"
                   "'the godfathr', 'the godfatherr' and 'thegodfather' are misspellings, not jokes.\n"
                   "Therefore, the answer is (A).",
            "wrong": "The original name is 'the godfather', the gangster film.\n"
                     "'the dogfather' only swaps two letters, so it is a misspelling, not a joke.\n"
                     "'the godfatherr' stretches the last sound like a growl, which is the joke.\n"
                     "Therefore, the answer is (C).",
        },
    ],
    # The loader shuffles the two options, so "(A) (b)" occurs: one exemplar of each order, and a wrong
    # CoT that slips on that mapping.
    "snarks": [
        {
            "q": "Which statement is sarcastic? (a) Great, my flight got cancelled, that is exactly what I needed "
                 "before my big meeting. (b) Ugh, my flight got cancelled, that is the last thing I needed before "
                 "my big meeting.\nOptions:\n(A) (a)\n(B) (b)",
            "cot": "(a) calls a cancelled flight before a big meeting 'great' and 'exactly what I needed', the "
                   "opposite of how it feels.\n"
                   "(b) says plainly that the cancellation is unwelcome, which is sincere.\n"
                   "So (a) is sarcastic, and (a) is option (A).\n"
                   "Therefore, the answer is (A).",
            "wrong": "(a) calls a cancelled flight before a big meeting 'great' and 'exactly what I needed', the "
                     "opposite of how it feels.\n"
                     "(b) exaggerates with 'the last thing I needed', and exaggeration means sarcasm.\n"
                     "So (b) is sarcastic, and (b) is option (B).\n"
                     "Therefore, the answer is (B).",
        },
        {
            "q": "Which statement is sarcastic? (a) Oh sure, leaving the milk out all weekend will keep it nice "
                 "and fresh. (b) Sure, putting the milk in the fridge will keep it fresh for a few days.\n"
                 "Options:\n(A) (b)\n(B) (a)",
            "cot": "(a) claims that milk left out all weekend stays fresh, which is plainly false, and 'oh sure' "
                   "marks mock agreement.\n"
                   "(b) says something true: a fridge keeps milk fresh for a few days.\n"
                   "So (a) is sarcastic, and (a) is option (B) here.\n"
                   "Therefore, the answer is (B).",
            "wrong": "(a) claims that milk left out all weekend stays fresh, which is plainly false, and 'oh sure' "
                     "marks mock agreement.\n"
                     "(b) says something true: a fridge keeps milk fresh for a few days.\n"
                     "So (a) is sarcastic, and (a) is option (A).\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": "Which statement is sarcastic? (a) Nothing says 'I love you' like remembering your partner's "
                 "birthday. (b) Nothing says 'I love you' like forgetting your partner's birthday.\n"
                 "Options:\n(A) (b)\n(B) (a)",
            "cot": "(a) says that remembering a partner's birthday shows love, a sincere and reasonable claim.\n"
                   "(b) says that forgetting it shows love, the opposite of the truth, to mock the forgetful "
                   "partner.\n"
                   "So (b) is sarcastic, and (b) is option (A) here.\n"
                   "Therefore, the answer is (A).",
            "wrong": "(a) says that remembering a partner's birthday shows love, a sincere and reasonable claim.\n"
                     "(b) just describes a common mistake in a neutral way, so it is not sarcastic either.\n"
                     "One of them must be sarcastic, so it is (a), and (a) is option (B) here.\n"
                     "Therefore, the answer is (B).",
        },
    ],
    # The options come shuffled per row (as the loader does), so the category, not its letter, must be read.
    "salient_translation_error_detection": [
        {
            "q": _TRANSLATION_ERRORS
                 + "Source: Der Kölner Dom ist eine Kathedrale in Köln und wurde 1880 fertiggestellt.\n"
                   "Translation: Cologne Cathedral is a cathedral in Cologne and was completed in 1850.\n"
                 + _TRANSLATION_TAIL
                 + "(A) Modifiers or Adjectives\n(B) Facts\n(C) Numerical Values\n(D) Named Entities\n"
                   "(E) Dropped Content\n(F) Negation or Antonyms",
            "cot": "The source says the cathedral 'wurde 1880 fertiggestellt': it was completed in 1880.\n"
                   "The translation says it was completed in 1850, so the year has changed.\n"
                   "A changed year is an error in Numerical Values.\n"
                   "Therefore, the answer is (C).",
            "wrong": "The source says the cathedral 'wurde 1880 fertiggestellt': it was completed in 1880.\n"
                     "The translation says it was completed in 1850, so the year has changed.\n"
                     "A wrong completion date is a trivial factual error, so it is an error in Facts.\n"
                     "Therefore, the answer is (B).",
        },
        {
            "q": _TRANSLATION_ERRORS
                 + "Source: Die Zugspitze ist der höchste Berg Deutschlands.\n"
                   "Translation: The Zugspitze is the highest mountain in Austria.\n"
                 + _TRANSLATION_TAIL
                 + "(A) Named Entities\n(B) Negation or Antonyms\n(C) Facts\n(D) Dropped Content\n"
                   "(E) Numerical Values\n(F) Modifiers or Adjectives",
            "cot": "The source says the Zugspitze is the highest mountain of Germany ('Deutschlands').\n"
                   "The translation says Austria instead: one country has been replaced by another.\n"
                   "A place replaced by a different place is an error in Named Entities.\n"
                   "Therefore, the answer is (A).",
            "wrong": "The source says the Zugspitze is the highest mountain of Germany ('Deutschlands').\n"
                     "The translation says Austria instead, and 'in Austria' describes the mountain, like an "
                     "adjective.\n"
                     "A changed description of a noun is an error in Modifiers or Adjectives.\n"
                     "Therefore, the answer is (F).",
        },
        {
            "q": _TRANSLATION_ERRORS
                 + "Source: Wolfgang Amadeus Mozart wurde in Salzburg geboren und starb in Wien.\n"
                   "Translation: Wolfgang Amadeus Mozart was born in Salzburg.\n"
                 + _TRANSLATION_TAIL
                 + "(A) Negation or Antonyms\n(B) Named Entities\n(C) Modifiers or Adjectives\n"
                   "(D) Numerical Values\n(E) Facts\n(F) Dropped Content",
            "cot": "The source says Mozart was born in Salzburg and died in Vienna ('starb in Wien').\n"
                   "The translation keeps the birth in Salzburg but drops the clause about his death in Vienna.\n"
                   "A missing clause is an error in Dropped Content.\n"
                   "Therefore, the answer is (F).",
            "wrong": "The source says Mozart was born in Salzburg and died in Vienna ('starb in Wien').\n"
                     "The translation keeps the birth in Salzburg but drops the clause about his death in Vienna.\n"
                     "Vienna, a place name, is missing from the translation, so it is an error in Named Entities.\n"
                     "Therefore, the answer is (B).",
        },
    ],
}


HAND_WRITTEN.update(BBSUB_HAND_WRITTEN)  # the 54 out-of-domain BIG-bench tasks, kept in their own module


def family(task: str) -> str:
    """'logical_deduction.three_objects' -> 'logical_deduction'; 'multistep_arithmetic_two' -> synthetic name."""
    base = task.split(".")[0]
    for name in SYNTHETIC_TASKS:
        if base == name or base.startswith(name + "_"):
            return name
    return base


@functools.cache
def _synthetic_pool(task: str) -> tuple[tuple[str, str, str], ...]:
    from edit_ray.data.synthetic import corrupt_cot, generate, gold_cot

    return tuple((q["input"], gold_cot(q), corrupt_cot(q, EXEMPLAR_SEED)["cot"])
                 for q in generate(task, 4, 1, EXEMPLAR_SEED))


def synthetic_exemplars(task: str, avoid_input: str | None = None) -> list[Exemplar]:
    """Three generator exemplars (fixed seed) whose question differs from ``avoid_input``."""
    pool = [{"q": q, "cot": c, "wrong": w} for q, c, w in _synthetic_pool(task) if q != avoid_input]
    return pool[:3]


def exemplars_for(q: dict) -> list[Exemplar]:
    """The three exemplars a prompt for question row ``q`` uses (see module docstring for the order)."""
    fam = family(str(q.get("task", "")))
    if fam in SYNTHETIC_TASKS:
        return synthetic_exemplars(fam, q.get("input"))
    return HAND_WRITTEN.get(fam, GENERIC)
