"""Hand-written few-shot exemplars for the 54 out-of-domain BIG-bench tasks of ``bbsub/`` (BB-sub).

Same contract as ``HAND_WRITTEN`` in ``edit_ray.prompts.exemplars`` (merged into it by family name, the
task file's stem, e.g. "anachronisms"): three exemplars per task, each ``{"q": question, "cot": correct
CoT, "wrong": wrong CoT}``. Both CoTs have one step per line and end with "Therefore, the answer is X.";
the wrong CoT has the same lines as the correct one except for one step (never the first) and the answer.

The questions are written for this project (none is taken from the task files) in the shape our loader
renders the real rows (``edit_ray.data.loaders``): the task's fixed instruction prefix, the question,
then "Options:\\n(A) ..." with the answer given as the option letter. ``analogical_similarity`` keeps only
the first line of its long instruction (the category definitions are restated in the CoT), and
``checkmate_in_one`` is free-form (most of its rows list too many legal moves to show as options), so its
answer is the move in SAN. Tasks in Hindi, Kannada and Persian have simple questions with the reasoning
in English.
"""

from __future__ import annotations

Exemplar = dict[str, str]

_ANALOGY = ("The essence of the task: for two given sentence episodes, choose a category that best describes "
            "the level of analogical similarity between them.\n")
_ANALOGY_OPTIONS = ("(A) literal similarity.\n(B) surface similarity.\n(C) only objects similarity.\n"
                    "(D) an analogy.\n(E) a cross mapping.\n(F) a false analogy.\n(G) no similarity.")
_ANALYTIC = "Determine whether the following pairs of sentences embody an entailment relation or not.\n\nSentences: "
_CHESS = "In the following chess position, find a checkmate-in-one move.\n\n"
_CRASH = ("Identify the part of speech (verb, adjective, noun, or preposition) of the specified word in the "
          "following headlines.\n\nIn the following sentence, what part of speech is ")
_EMPIRICAL = ("Determine whether a given sentence asserts a causal, correlative, or neutral relation between two "
              "events. If the sentence asserts a causal relation respond causal, if the sentence asserts a "
              "correlative relation respond correlative, if the sentence asserts neither a causal nor a "
              "correlative relation between two events respond neutral.\n\nSentence: ")
_EN_RU = ("For the given proverb/idiom in English, give a proverb/idiom in Russian which is close to it in "
          "meaning.\n\nEnglish proverb: ")
_POLARITY = "Given a fact, answer the following question with a yes or a no.\nFact: "
_POLARITY_HI = "एक तथ्य को देखते हुए, हां या नहीं के साथ एक प्रश्न का उत्तर दें। तथ्य: "
_EPISTEMIC = ("Identify the relation between the following premises and hypotheses, choosing from the options "
              "'entailment' or 'non-entailment'.\n\nPremise: ")
_ESSENTIAL = "Which of the following statements is/are sufficient to answer the previous question? \n"
_FIGURE = "Please identify the figure of speech embodied by the following English sentences.\nSentence: "
_THEOREM = ("What follows is a purported mathematical theorem. Some will be true, while other will be false. If "
            "the theorem is correct, write the theorem exactly as it is given. Otherwise, write a corrected "
            "version of the theorem. Write all answeres in compilable LaTeX.\n\n\\textbf{Theorem:} ")
_IRONY = ("Are the given example sentences examples of irony or not? Respond 'ironic' or 'not ironic' to each "
          "example.\n\nExample: ")
_ARGS = "Please answer the following questions about the structure of logical arguments.\n\nQuestion: "
_METAPHOR = ("The essence of the task: Given a metaphoric sentence, identify if the second sentence is the "
             "correct paraphrase of the first. ")
_MISCONCEPTION = "Is the following statement true or false? Output T for true and F for false. "
_INDUCTION = "Is this a correct induction argument (even though some of the assumptions may be incorrect)?\n"
_MOVIE = "The following is a conversation between two people, but the transcript doesn't mark who said what: "
_PHYSICS = ("Identify the physics formula that would be most useful for finding the answer to each of the "
            "following word problems.\n\n")
_PLAY = ("The following transcripts of dialogues have been taken from Shakespeare plays, but the transcripts do "
         "not say who said what.  Your task is to identify whether the sentences in question were spoken by the "
         "same or different people.\nDialogue:\n")
_PRESUPPOSITION = ("This is a natural language inference task. There are two sentences in English. The answer is "
                   "\"entailment\" if the first sentence entails the second, \"contradiction\" if the second "
                   "sentence contradicts the first, and \"neutral\" if neither is of those two cases holds.\n\n\n"
                   "Sentence 1: ")
_SIMILAR = "Q: Tell me how an apple and a banana are alike. \nA: Both are fruit.\nTell me how "
_SW_EN = ("For the given proverb/idiom in Swahili, give the proverb/idiom in English which is closest to it in "
          "meaning.\n\nSwahili proverb: ")
_TIMEDIAL = "Question: Which phrase best fits the <MASK> span? Context: \n"
_VITAMINC = ("Based only on the information contained in a brief quote from Wikipedia, answer whether the related "
             "claim is True, False or Neither. Use Neither when the Wikipedia quote does not provide the "
             "necessary information to resolve the question.\n\n\nPassage: ")
_WINOWHY = "Please answer the following questions about which words certain pronouns refer to.\n\n"

BBSUB_HAND_WRITTEN: dict[str, list[Exemplar]] = {
    "anachronisms": [
        {
            "q": "Julius Caesar checked the time on his wristwatch before crossing the Rubicon.\n"
                 "Does the preceding sentence contain non-contemporaneous (anachronistic) elements?\n"
                 "Options:\n(A) No\n(B) Yes",
            "cot": "Julius Caesar crossed the Rubicon in 49 BC.\n"
                   "Wristwatches were only invented in the 19th century, so one could not appear in 49 BC.\n"
                   "So the sentence contains an anachronism.\n"
                   "Therefore, the answer is (B).",
            "wrong": "Julius Caesar crossed the Rubicon in 49 BC.\n"
                     "The Romans already measured time, so a wristwatch fits Caesar's era.\n"
                     "So the sentence contains an anachronism.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": "Queen Victoria read a telegram announcing the result of the general election.\n"
                 "Does the preceding sentence contain non-contemporaneous (anachronistic) elements?\n"
                 "Options:\n(A) Yes\n(B) No",
            "cot": "Queen Victoria reigned from 1837 to 1901.\n"
                   "The electric telegraph was in wide use in Britain from the 1840s, during her reign.\n"
                   "Therefore, the answer is (B).",
            "wrong": "Queen Victoria reigned from 1837 to 1901.\n"
                     "The telegraph was invented in the 20th century, after her death.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": "Leonardo da Vinci listened to the radio while he painted the Mona Lisa.\n"
                 "Does the preceding sentence contain non-contemporaneous (anachronistic) elements?\n"
                 "Options:\n(A) Yes\n(B) No",
            "cot": "Leonardo painted the Mona Lisa in the early 1500s.\n"
                   "Radio broadcasting began in the 20th century, about 400 years later.\n"
                   "Therefore, the answer is (A).",
            "wrong": "Leonardo painted the Mona Lisa in the early 1500s.\n"
                     "Leonardo was an inventor, so a radio in his workshop is contemporaneous with him.\n"
                     "Therefore, the answer is (B).",
        },
    ],
    "analogical_similarity": [
        {
            "q": _ANALOGY + "The cat chased the mouse, causing the mouse to hide from the cat. <-> The tiger chased "
                 "the antelope, causing the antelope to hide from the tiger. This is an example of\nOptions:\n"
                 + _ANALOGY_OPTIONS,
            "cot": "Both episodes have the same relations (chased, causing to hide) with the same structure.\n"
                   "The objects are alike too: a predator animal chases a prey animal in both.\n"
                   "Sharing all aspects of similarity is literal similarity.\n"
                   "Therefore, the answer is (A).",
            "wrong": "Both episodes have the same relations (chased, causing to hide) with the same structure.\n"
                     "A tiger is not a cat and an antelope is not a mouse, so the objects are of different kinds.\n"
                     "Sharing all aspects of similarity is literal similarity.\n"
                     "Therefore, the answer is (D).",
        },
        {
            "q": _ANALOGY + "The storm damaged the house, forcing the family to repair the house. <-> The hacker "
                 "damaged the database, forcing the company to repair the database. This is an example of\n"
                 "Options:\n" + _ANALOGY_OPTIONS,
            "cot": "Both episodes have the same relations (damaged, forcing to repair) with the same structure.\n"
                   "The objects are of different kinds: a storm, a family and a house versus a hacker, a company "
                   "and a database.\n"
                   "Same relational structure with different kinds of objects is an analogy.\n"
                   "Therefore, the answer is (D).",
            "wrong": "Both episodes have the same relations (damaged, forcing to repair) with the same structure.\n"
                     "The objects are of different kinds: a storm, a family and a house versus a hacker, a company "
                     "and a database.\n"
                     "Different objects in the same relations means the roles are swapped, which is a cross "
                     "mapping.\n"
                     "Therefore, the answer is (E).",
        },
        {
            "q": _ANALOGY + "The nurse helped the patient, causing the patient to thank the nurse. <-> The patient "
                 "helped the nurse, causing the nurse to thank the patient. This is an example of\nOptions:\n"
                 + _ANALOGY_OPTIONS,
            "cot": "Both episodes have the same relations (helped, causing to thank) with the same structure.\n"
                   "The same kinds of objects appear, but the nurse and the patient have swapped roles.\n"
                   "Same structure and objects with swapped roles is a cross mapping.\n"
                   "Therefore, the answer is (E).",
            "wrong": "Both episodes have the same relations (helped, causing to thank) with the same structure.\n"
                     "The same kinds of objects appear, but the nurse and the patient have swapped roles.\n"
                     "Same relations and the same objects is literal similarity.\n"
                     "Therefore, the answer is (A).",
        },
    ],
    "analytic_entailment": [
        {
            "q": _ANALYTIC + "Tom is a bachelor. So Tom is not married.\n"
                 "Options:\n(A) entailment\n(B) no-entailment",
            "cot": "A bachelor is by definition an unmarried man.\n"
                   "So if Tom is a bachelor, he cannot be married: the second sentence follows from the first.\n"
                   "Therefore, the answer is (A).",
            "wrong": "A bachelor is by definition an unmarried man.\n"
                     "The first sentence is about Tom's status, not his marriage, so the second does not follow.\n"
                     "Therefore, the answer is (B).",
        },
        {
            "q": _ANALYTIC + "The glass is full. So the glass contains water.\n"
                 "Options:\n(A) entailment\n(B) no-entailment",
            "cot": "A full glass contains something, but it could be milk, juice or sand.\n"
                   "So the glass being full does not guarantee that it contains water.\n"
                   "Therefore, the answer is (B).",
            "wrong": "A full glass contains something, but it could be milk, juice or sand.\n"
                     "Glasses are usually filled with water, so the second sentence follows.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": _ANALYTIC + "Maria is taller than Ben. So Ben is shorter than Maria.\n"
                 "Options:\n(A) no-entailment\n(B) entailment",
            "cot": "\"Taller than\" and \"shorter than\" are converse relations.\n"
                   "If Maria is taller than Ben, then Ben is necessarily shorter than Maria.\n"
                   "Therefore, the answer is (B).",
            "wrong": "\"Taller than\" and \"shorter than\" are converse relations.\n"
                     "The first sentence describes Maria's height, not Ben's, so nothing follows about Ben.\n"
                     "Therefore, the answer is (A).",
        },
    ],
    "checkmate_in_one": [
        {
            "q": _CHESS + "1. f3 e5 2. g4",
            "cot": "Black is to move; White has pushed the f- and g-pawns, so f2 and g3 are empty.\n"
                   "The black queen on d8 can go to h4 through the empty e7, f6 and g5 squares.\n"
                   "Qh4 checks the king on e1 along h4-g3-f2-e1; nothing can block or capture the queen and the "
                   "king has no free square, so it is mate.\n"
                   "Therefore, the answer is Qh4#.",
            "wrong": "Black is to move; White has pushed the f- and g-pawns, so f2 and g3 are empty.\n"
                     "The black queen on d8 can go to h4 through the empty e7, f6 and g5 squares.\n"
                     "But Bc5 is stronger: the bishop checks the king along the c5-f2 diagonal and the king cannot "
                     "escape, so it is mate.\n"
                     "Therefore, the answer is Bc5#.",
        },
        {
            "q": _CHESS + "1. e4 e5 2. Bc4 Nc6 3. Qh5 Nf6 4.",
            "cot": "White is to move; the queen on h5 and the bishop on c4 both aim at the pawn on f7.\n"
                   "Qxf7 checks the king on e8, and the queen is protected by the bishop, so the king cannot take it.\n"
                   "The king's squares d7, d8 and f8 are occupied by its own pieces and e7 is covered by the queen, "
                   "so it is mate.\n"
                   "Therefore, the answer is Qxf7#.",
            "wrong": "White is to move; the queen on h5 and the bishop on c4 both aim at the pawn on f7.\n"
                     "Qxf7 checks the king on e8, and the queen is protected by the bishop, so the king cannot take "
                     "it.\n"
                     "But the king can still step to e7, so Bxf7 is the mate instead.\n"
                     "Therefore, the answer is Bxf7#.",
        },
        {
            "q": _CHESS + "1. e4 f6 2. d4 g5 3.",
            "cot": "White is to move; Black has pushed the f- and g-pawns, so f7 and g6 are empty.\n"
                   "The white queen on d1 can reach h5 through the empty e2, f3 and g4 squares.\n"
                   "Qh5 checks the king on e8 along h5-g6-f7-e8; nothing can block or capture the queen, and d8, "
                   "d7, e7 and f8 are occupied while f7 is covered, so it is mate.\n"
                   "Therefore, the answer is Qh5#.",
            "wrong": "White is to move; Black has pushed the f- and g-pawns, so f7 and g6 are empty.\n"
                     "The white queen on d1 can reach h5 through the empty e2, f3 and g4 squares.\n"
                     "But the g5 pawn could capture on h5, so the mate must come from Bd3 attacking g6.\n"
                     "Therefore, the answer is Bd3#.",
        },
    ],
    "code_line_description": [
        {
            "q": "Python code:\nfor i in range(5):\n    print(i * 2)\n"
                 "Options:\n(A) prints values from 0 to 4\n(B) prints even numbers from 0 to 8\n"
                 "(C) prints even numbers from 2 to 10\n(D) prints 'hello world' to the terminal",
            "cot": "range(5) gives i = 0, 1, 2, 3, 4.\n"
                   "Each i is printed doubled: 0, 2, 4, 6, 8, the even numbers from 0 to 8.\n"
                   "Therefore, the answer is (B).",
            "wrong": "range(5) gives i = 0, 1, 2, 3, 4.\n"
                     "Each i is printed doubled after adding one: 2, 4, 6, 8, 10, the even numbers from 2 to 10.\n"
                     "Therefore, the answer is (C).",
        },
        {
            "q": "Python code:\nx = [3, 1, 2]\nprint(sorted(x))\n"
                 "Options:\n(A) prints the list in descending order\n(B) prints the length of the list\n"
                 "(C) prints the list in ascending order\n(D) prints the largest element of the list",
            "cot": "sorted(x) returns a new list with the elements of x from smallest to largest.\n"
                   "So the code prints [1, 2, 3], the list in ascending order.\n"
                   "Therefore, the answer is (C).",
            "wrong": "sorted(x) returns a new list with the elements of x from smallest to largest.\n"
                     "So the code prints [3, 2, 1], the list in descending order.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": "Python code:\ndef square(n):\n    return n * n\n"
                 "Options:\n(A) returns the square of a number\n(B) returns double a number\n"
                 "(C) prints the number n\n(D) returns the square root of a number",
            "cot": "The function takes a number n and returns n * n.\n"
                   "Multiplying a number by itself gives its square.\n"
                   "Therefore, the answer is (A).",
            "wrong": "The function takes a number n and returns n * n.\n"
                     "n * n adds n to itself, which gives double the number.\n"
                     "Therefore, the answer is (B).",
        },
    ],
    "crash_blossom": [
        {
            "q": _CRASH + "fires? Sentence: Mayor fires police chief after scandal\n"
                 "Options:\n(A) noun\n(B) verb\n(C) adjective\n(D) preposition",
            "cot": "The headline means that the mayor dismissed the police chief.\n"
                   "\"Fires\" is the action the mayor performs on the police chief, so it is a verb.\n"
                   "Therefore, the answer is (B).",
            "wrong": "The headline means that the mayor dismissed the police chief.\n"
                     "\"Fires\" names burning flames, so it is a noun.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": _CRASH + "over? Sentence: Farmers fight over water rights\n"
                 "Options:\n(A) verb\n(B) noun\n(C) preposition\n(D) adjective",
            "cot": "The headline means that farmers fight about water rights.\n"
                   "\"Over\" links \"fight\" to its topic \"water rights\", so it is a preposition.\n"
                   "Therefore, the answer is (C).",
            "wrong": "The headline means that farmers fight about water rights.\n"
                     "\"Over\" means finished here, describing the fight, so it is an adjective.\n"
                     "Therefore, the answer is (D).",
        },
        {
            "q": _CRASH + "duck? Sentence: Police find duck in stolen car\n"
                 "Options:\n(A) adjective\n(B) preposition\n(C) verb\n(D) noun",
            "cot": "The headline means that police found a duck inside a stolen car.\n"
                   "\"Duck\" is the thing that was found, the object of \"find\", so it is a noun.\n"
                   "Therefore, the answer is (D).",
            "wrong": "The headline means that police found a duck inside a stolen car.\n"
                     "\"Duck\" is the action of lowering the head to hide, so it is a verb.\n"
                     "Therefore, the answer is (C).",
        },
    ],
    "crass_ai": [
        {
            "q": "A man drops a glass on a stone floor. What would have happened if the man had not dropped the "
                 "glass?\nOptions:\n(A) The glass would have broken.\n(B) The glass would have stayed intact.\n"
                 "(C) That is not possible.\n(D) I don't know.",
            "cot": "A glass dropped on a stone floor breaks because of the fall.\n"
                   "Without the drop there is no fall, so the glass would have stayed intact.\n"
                   "Therefore, the answer is (B).",
            "wrong": "A glass dropped on a stone floor breaks because of the fall.\n"
                     "Glass is fragile, so it would have broken anyway.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": "A child eats all the cookies in the jar. What would have happened if the child had not eaten "
                 "the cookies?\nOptions:\n(A) I don't know.\n(B) The child would have eaten more cookies.\n"
                 "(C) That is not possible.\n(D) The cookies would still be in the jar.",
            "cot": "The cookies are gone only because the child ate them.\n"
                   "If the child had not eaten them, the cookies would still be in the jar.\n"
                   "Therefore, the answer is (D).",
            "wrong": "The cookies are gone only because the child ate them.\n"
                     "A child who does not eat cookies must be lying, so that is not possible.\n"
                     "Therefore, the answer is (C).",
        },
        {
            "q": "A woman waters her plants every day. What would have happened if the woman had not watered "
                 "her plants?\nOptions:\n(A) The plants would have dried out.\n"
                 "(B) The plants would have grown faster.\n(C) That is not possible.\n(D) I don't know.",
            "cot": "Plants need water to live, and the daily watering gives it to them.\n"
                   "Without watering, the plants would have dried out.\n"
                   "Therefore, the answer is (A).",
            "wrong": "Plants need water to live, and the daily watering gives it to them.\n"
                     "Without watering, the roots would search harder for water, so the plants would grow faster.\n"
                     "Therefore, the answer is (B).",
        },
    ],
    "discourse_marker_prediction": [
        {
            "q": "The morning train was delayed by two hours.\n"
                 "Options:\n(A) Similarly, many passengers missed their connections.\n"
                 "(B) As a result, many passengers missed their connections.\n"
                 "(C) For example, many passengers missed their connections.\n"
                 "(D) Nevertheless, many passengers missed their connections.\n"
                 "(E) In contrast, many passengers missed their connections.",
            "cot": "The first sentence states a cause: a long delay of the train.\n"
                   "Passengers missing their connections is a consequence of that delay, so the marker must "
                   "express a result.\n"
                   "Therefore, the answer is (B).",
            "wrong": "The first sentence states a cause: a long delay of the train.\n"
                     "Missing connections happens despite the delay, so the marker must express a concession.\n"
                     "Therefore, the answer is (D).",
        },
        {
            "q": "Regular exercise strengthens the heart.\n"
                 "Options:\n(A) Instead, it improves mood and sleep.\n(B) However, it improves mood and sleep.\n"
                 "(C) Otherwise, it improves mood and sleep.\n(D) In addition, it improves mood and sleep.\n"
                 "(E) Namely, it improves mood and sleep.",
            "cot": "The first sentence names one benefit of exercise.\n"
                   "The continuation names further benefits of the same kind, so the marker must add information.\n"
                   "Therefore, the answer is (D).",
            "wrong": "The first sentence names one benefit of exercise.\n"
                     "The continuation names benefits that differ from the heart, so the marker must express a "
                     "contrast.\n"
                     "Therefore, the answer is (B).",
        },
        {
            "q": "Most birds can fly.\n"
                 "Options:\n(A) However, penguins and ostriches cannot.\n"
                 "(B) Therefore, penguins and ostriches cannot.\n(C) For instance, penguins and ostriches cannot.\n"
                 "(D) Similarly, penguins and ostriches cannot.\n(E) Meanwhile, penguins and ostriches cannot.",
            "cot": "The first sentence states a general rule about birds.\n"
                   "The continuation gives exceptions that go against the rule, so the marker must express a "
                   "contrast.\n"
                   "Therefore, the answer is (A).",
            "wrong": "The first sentence states a general rule about birds.\n"
                     "The continuation gives examples of birds, so the marker must introduce an example.\n"
                     "Therefore, the answer is (C).",
        },
    ],
    "emoji_movie": [
        {
            "q": "What movie does this emoji describe? 🦁👑🌅\n"
                 "Options:\n(A) jurassic park\n(B) the lion king\n(C) titanic\n(D) frozen\n(E) toy story",
            "cot": "The emojis show a lion, a crown and a sunrise.\n"
                   "A lion who becomes king, with the famous sunrise opening, is The Lion King.\n"
                   "Therefore, the answer is (B).",
            "wrong": "The emojis show a lion, a crown and a sunrise.\n"
                     "A crown and a cold sunrise suggest the queen Elsa, so the movie is Frozen.\n"
                     "Therefore, the answer is (D).",
        },
        {
            "q": "What movie does this emoji describe? 🚢🧊💔\n"
                 "Options:\n(A) finding nemo\n(B) jaws\n(C) frozen\n(D) titanic\n(E) the matrix",
            "cot": "The emojis show a ship, ice and a broken heart.\n"
                   "A ship that hits an iceberg and a tragic love story is Titanic.\n"
                   "Therefore, the answer is (D).",
            "wrong": "The emojis show a ship, ice and a broken heart.\n"
                     "Ice and a sad heart are the theme of Frozen.\n"
                     "Therefore, the answer is (C).",
        },
        {
            "q": "What movie does this emoji describe? 🦖🦕🏝️\n"
                 "Options:\n(A) jurassic park\n(B) the jungle book\n(C) king kong\n(D) cast away\n(E) up",
            "cot": "The emojis show two dinosaurs and an island.\n"
                   "Dinosaurs brought back to life on an island park is Jurassic Park.\n"
                   "Therefore, the answer is (A).",
            "wrong": "The emojis show two dinosaurs and an island.\n"
                     "A giant creature on a remote island is King Kong.\n"
                     "Therefore, the answer is (C).",
        },
    ],
    "empirical_judgments": [
        {
            "q": _EMPIRICAL + "The window broke because the ball hit it.\n"
                 "Options:\n(A) causal\n(B) correlative\n(C) neutral",
            "cot": "The sentence links two events: the ball hitting the window and the window breaking.\n"
                   "\"Because\" says that the first event made the second happen, which is a causal relation.\n"
                   "Therefore, the answer is (A).",
            "wrong": "The sentence links two events: the ball hitting the window and the window breaking.\n"
                     "It only reports that the two events happened together, which is a correlative relation.\n"
                     "Therefore, the answer is (B).",
        },
        {
            "q": _EMPIRICAL + "Whenever the rooster crows, the sun rises.\n"
                 "Options:\n(A) neutral\n(B) causal\n(C) correlative",
            "cot": "The sentence links two events: the rooster crowing and the sun rising.\n"
                   "\"Whenever\" says the events go together without claiming that one produces the other, which is "
                   "a correlative relation.\n"
                   "Therefore, the answer is (C).",
            "wrong": "The sentence links two events: the rooster crowing and the sun rising.\n"
                     "\"Whenever\" says that the crowing makes the sun rise, which is a causal relation.\n"
                     "Therefore, the answer is (B).",
        },
        {
            "q": _EMPIRICAL + "I had a coffee and then read the newspaper.\n"
                 "Options:\n(A) correlative\n(B) neutral\n(C) causal",
            "cot": "The sentence reports two events, having a coffee and reading the newspaper, one after the other.\n"
                   "It claims neither that one caused the other nor that they regularly go together, so it is "
                   "neutral.\n"
                   "Therefore, the answer is (B).",
            "wrong": "The sentence reports two events, having a coffee and reading the newspaper, one after the "
                     "other.\n"
                     "Events that follow each other always go together, so it is correlative.\n"
                     "Therefore, the answer is (A).",
        },
    ],
    "english_proverbs": [
        {
            "q": "Mark kept putting off fixing the small leak in his roof. After a heavy storm the whole ceiling "
                 "came down, and the repair cost ten times as much. Which of the following proverbs best apply to "
                 "this situation?\nOptions:\n(A) Actions speak louder than words.\n"
                 "(B) A stitch in time saves nine.\n(C) Too many cooks spoil the broth.\n"
                 "(D) The early bird catches the worm.",
            "cot": "Mark ignored a small problem, and it grew into a much bigger and costlier one.\n"
                   "The proverb saying that fixing a problem early saves much more work later is \"A stitch in time "
                   "saves nine.\"\n"
                   "Therefore, the answer is (B).",
            "wrong": "Mark ignored a small problem, and it grew into a much bigger and costlier one.\n"
                     "The proverb about being early is \"The early bird catches the worm.\"\n"
                     "Therefore, the answer is (D).",
        },
        {
            "q": "Lena always promised to help at the charity events but never showed up, while her quiet "
                 "brother came every week without saying much. Which of the following proverbs best apply to this "
                 "situation?\nOptions:\n(A) Too many cooks spoil the broth.\n(B) Better late than never.\n"
                 "(C) Actions speak louder than words.\n(D) Every cloud has a silver lining.",
            "cot": "Lena makes promises but does nothing, while her brother says little but helps.\n"
                   "What people do shows more than what they say: \"Actions speak louder than words.\"\n"
                   "Therefore, the answer is (C).",
            "wrong": "Lena makes promises but does nothing, while her brother says little but helps.\n"
                     "Lena may still come one day, and \"Better late than never.\"\n"
                     "Therefore, the answer is (B).",
        },
        {
            "q": "Five friends planned a trip together. Each of them kept changing the route and the hotel, and in "
                 "the end nobody knew where they were going. Which of the following proverbs best apply to this "
                 "situation?\nOptions:\n(A) Too many cooks spoil the broth.\n(B) Two heads are better than one.\n"
                 "(C) Look before you leap.\n(D) Birds of a feather flock together.",
            "cot": "Every friend changed the plan, and the result was a mess.\n"
                   "When too many people control one task, they ruin it: \"Too many cooks spoil the broth.\"\n"
                   "Therefore, the answer is (A).",
            "wrong": "Every friend changed the plan, and the result was a mess.\n"
                     "Several people worked on the plan together: \"Two heads are better than one.\"\n"
                     "Therefore, the answer is (B).",
        },
    ],
    "english_russian_proverbs": [
        {
            "q": _EN_RU + "All that glitters is not gold\n"
                 "Options:\n(A) Тише едешь, дальше будешь\n(B) Не всё то золото, что блестит\n"
                 "(C) Без труда не выловишь и рыбку из пруда\n(D) Друзья познаются в беде",
            "cot": "The English proverb warns that something attractive on the outside may have no real value.\n"
                   "\"Не всё то золото, что блестит\" means \"not everything that shines is gold\", the same warning.\n"
                   "Therefore, the answer is (B).",
            "wrong": "The English proverb warns that something attractive on the outside may have no real value.\n"
                     "\"Без труда не выловишь и рыбку из пруда\" means that a fish is valuable, the same idea.\n"
                     "Therefore, the answer is (C).",
        },
        {
            "q": _EN_RU + "A friend in need is a friend indeed\n"
                 "Options:\n(A) Яблоко от яблони недалеко падает\n(B) Утро вечера мудренее\n"
                 "(C) Семь раз отмерь, один раз отрежь\n(D) Друзья познаются в беде",
            "cot": "The English proverb says that a true friend is the one who helps you in trouble.\n"
                   "\"Друзья познаются в беде\" means \"friends are known in misfortune\", the same idea.\n"
                   "Therefore, the answer is (D).",
            "wrong": "The English proverb says that a true friend is the one who helps you in trouble.\n"
                     "\"Яблоко от яблони недалеко падает\" means friends stay close to each other, the same idea.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": _EN_RU + "Rome was not built in a day\n"
                 "Options:\n(A) Лучше поздно, чем никогда\n(B) Москва не сразу строилась\n"
                 "(C) Утро вечера мудренее\n(D) Не всё то золото, что блестит",
            "cot": "The English proverb says that great things take a long time to achieve.\n"
                   "\"Москва не сразу строилась\" means \"Moscow was not built at once\", the same idea with "
                   "another city.\n"
                   "Therefore, the answer is (B).",
            "wrong": "The English proverb says that great things take a long time to achieve.\n"
                     "\"Лучше поздно, чем никогда\" means \"better late than never\", which is about taking a long "
                     "time.\n"
                     "Therefore, the answer is (A).",
        },
    ],
    "entailed_polarity": [
        {
            "q": _POLARITY + "Sam managed to open the jar. Q: Did Sam open the jar?\nOptions:\n(A) no\n(B) yes",
            "cot": "\"Managed to\" means that Sam tried and succeeded.\n"
                   "So the jar was opened by Sam.\n"
                   "Therefore, the answer is (B).",
            "wrong": "\"Managed to\" means that Sam tried and succeeded.\n"
                     "It stresses that opening was hard, so Sam did not actually open it.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": _POLARITY + "Lucy forgot to lock the door. Q: Did Lucy lock the door?\nOptions:\n(A) yes\n(B) no",
            "cot": "\"Forgot to\" means that Lucy meant to do it but did not.\n"
                   "So Lucy did not lock the door.\n"
                   "Therefore, the answer is (B).",
            "wrong": "\"Forgot to\" means that Lucy meant to do it but did not.\n"
                     "Locking a door is a habit, so Lucy locked it anyway.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": _POLARITY + "Ana remembered to call her mother. Q: Did Ana call her mother?\n"
                 "Options:\n(A) yes\n(B) no",
            "cot": "\"Remembered to\" means that Ana did not forget the call and carried it out.\n"
                   "So Ana called her mother.\n"
                   "Therefore, the answer is (A).",
            "wrong": "\"Remembered to\" means that Ana did not forget the call and carried it out.\n"
                     "Remembering is only a thought, so the call did not happen.\n"
                     "Therefore, the answer is (B).",
        },
    ],
    "entailed_polarity_hindi": [
        {
            "q": _POLARITY_HI + "राम दरवाज़ा खोलने में कामयाब रहा। सवाल: क्या राम ने दरवाज़ा खोला?\n"
                 "Options:\n(A) नहीं\n(B) हां",
            "cot": "The fact says that Ram succeeded (कामयाब रहा) in opening the door.\n"
                   "Succeeding at opening the door means he opened it, so the answer is yes (हां).\n"
                   "Therefore, the answer is (B).",
            "wrong": "The fact says that Ram succeeded (कामयाब रहा) in opening the door.\n"
                     "It only says that he tried, so the answer is no (नहीं).\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": _POLARITY_HI + "सीता दवा लेना भूल गई। सवाल: क्या सीता ने दवा ली?\nOptions:\n(A) हां\n(B) नहीं",
            "cot": "The fact says that Sita forgot (भूल गई) to take the medicine.\n"
                   "Forgetting to take it means she did not take it, so the answer is no (नहीं).\n"
                   "Therefore, the answer is (B).",
            "wrong": "The fact says that Sita forgot (भूल गई) to take the medicine.\n"
                     "The medicine is mentioned, so she took it, and the answer is yes (हां).\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": _POLARITY_HI + "गीता को पता चला कि बारिश हो रही थी। सवाल: क्या बारिश हो रही थी?\n"
                 "Options:\n(A) हां\n(B) नहीं",
            "cot": "The fact says that Gita found out (पता चला) that it was raining.\n"
                   "One can only find out something that is true, so it was raining and the answer is yes (हां).\n"
                   "Therefore, the answer is (A).",
            "wrong": "The fact says that Gita found out (पता चला) that it was raining.\n"
                     "It only reports what Gita thought, so it was not raining and the answer is no (नहीं).\n"
                     "Therefore, the answer is (B).",
        },
    ],
    "epistemic_reasoning": [
        {
            "q": _EPISTEMIC + "Emma knows that the bakery is closed today. Hypothesis: The bakery is closed today.\n"
                 "Options:\n(A) entailment\n(B) non-entailment",
            "cot": "The premise says that Emma knows that the bakery is closed today.\n"
                   "\"Knows that\" is factive: one can only know what is true, so the bakery is closed today.\n"
                   "Therefore, the answer is (A).",
            "wrong": "The premise says that Emma knows that the bakery is closed today.\n"
                     "It only describes Emma's mind, and she could be wrong, so the bakery may be open.\n"
                     "Therefore, the answer is (B).",
        },
        {
            "q": _EPISTEMIC + "Liam believes that the bakery is closed today. Hypothesis: The bakery is closed "
                 "today.\nOptions:\n(A) non-entailment\n(B) entailment",
            "cot": "The premise says that Liam believes that the bakery is closed today.\n"
                   "A belief can be false, so the premise does not guarantee that the bakery is closed.\n"
                   "Therefore, the answer is (A).",
            "wrong": "The premise says that Liam believes that the bakery is closed today.\n"
                     "People believe what they have seen, so the bakery is closed.\n"
                     "Therefore, the answer is (B).",
        },
        {
            "q": _EPISTEMIC + "Olivia suspects that Jack heard that the road is flooded. Hypothesis: Jack heard "
                 "that the road is flooded.\nOptions:\n(A) entailment\n(B) non-entailment",
            "cot": "The premise says that Olivia suspects that Jack heard that the road is flooded.\n"
                   "A suspicion can be wrong, so Jack may not have heard anything.\n"
                   "Therefore, the answer is (B).",
            "wrong": "The premise says that Olivia suspects that Jack heard that the road is flooded.\n"
                     "The hypothesis repeats the end of the premise word for word, so it follows.\n"
                     "Therefore, the answer is (A).",
        },
    ],
    "evaluating_information_essentiality": [
        {
            "q": "Question: Is Ana older than Ben? " + _ESSENTIAL + "1. Ana was born in 1990. \n"
                 "2. Ben was born in 1995.\n"
                 "Options:\n(A) Statement 1 alone is sufficient while statement 2 alone is insufficient\n"
                 "(B) Statement 2 alone is sufficient while statement 1 alone is insufficient\n"
                 "(C) Either statement 1 or statement 2 is sufficient\n"
                 "(D) Statement 1 and statement 2 taken together are sufficient\n"
                 "(E) Neither statement 1 nor statement 2 nor statements 1 and 2 taken together is sufficient",
            "cot": "Statement 1 gives only Ana's birth year and statement 2 only Ben's, so neither alone answers.\n"
                   "Together they show that Ana was born five years before Ben, so she is older.\n"
                   "Therefore, the answer is (D).",
            "wrong": "Statement 1 gives only Ana's birth year and statement 2 only Ben's, so neither alone answers.\n"
                     "Even together they say nothing about their ages today, so nothing is sufficient.\n"
                     "Therefore, the answer is (E).",
        },
        {
            "q": "Question: Is the number n even? " + _ESSENTIAL + "1. n is divisible by 4. \n"
                 "2. n is greater than 10.\n"
                 "Options:\n(A) Either statement 1 or statement 2 is sufficient\n"
                 "(B) Statement 1 alone is sufficient while statement 2 alone is insufficient\n"
                 "(C) Statement 1 and statement 2 taken together are sufficient\n"
                 "(D) Neither statement 1 nor statement 2 nor statements 1 and 2 taken together is sufficient\n"
                 "(E) Statement 2 alone is sufficient while statement 1 alone is insufficient",
            "cot": "Statement 1: a number divisible by 4 is divisible by 2, so n is even.\n"
                   "Statement 2: numbers greater than 10 can be odd or even, so it does not answer.\n"
                   "Therefore, the answer is (B).",
            "wrong": "Statement 1: a number divisible by 4 is divisible by 2, so n is even.\n"
                     "Statement 2: a number greater than 10 is large, so it is even too.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": "Question: Does Kim own a pet? " + _ESSENTIAL + "1. Kim has a dog that sleeps in her bed. \n"
                 "2. Kim buys food every week for her own cat.\n"
                 "Options:\n(A) Statement 2 alone is sufficient while statement 1 alone is insufficient\n"
                 "(B) Neither statement 1 nor statement 2 nor statements 1 and 2 taken together is sufficient\n"
                 "(C) Statement 1 and statement 2 taken together are sufficient\n"
                 "(D) Statement 1 alone is sufficient while statement 2 alone is insufficient\n"
                 "(E) Either statement 1 or statement 2 is sufficient",
            "cot": "Statement 1 says that Kim has a dog, a pet, so it answers the question.\n"
                   "Statement 2 says that Kim has her own cat, also a pet, so it answers the question too.\n"
                   "Therefore, the answer is (E).",
            "wrong": "Statement 1 says that Kim has a dog, a pet, so it answers the question.\n"
                     "Statement 2 is only about buying food, which anyone can do, so it does not answer.\n"
                     "Therefore, the answer is (D).",
        },
    ],
    "fantasy_reasoning": [
        {
            "q": "In a kingdom where every river flows uphill, a leaf is dropped into a river at the foot of a "
                 "hill. Will the river carry the leaf toward the top of the hill?\nOptions:\n(A) Yes.\n(B) No.",
            "cot": "In this kingdom rivers flow uphill, unlike in our world.\n"
                   "A leaf floating on the river moves with the water, so it is carried up the hill.\n"
                   "Therefore, the answer is (A).",
            "wrong": "In this kingdom rivers flow uphill, unlike in our world.\n"
                     "Water always flows downhill, so the leaf is carried away from the top.\n"
                     "Therefore, the answer is (B).",
        },
        {
            "q": "In a land where fire is icy cold and ice is burning hot, Mira wants to warm her frozen hands. "
                 "Should she hold her hands close to a fire?\nOptions:\n(A) Yes.\n(B) No.",
            "cot": "In this land fire is icy cold, so a fire would make her hands colder.\n"
                   "To warm her hands she should hold them near ice, not near a fire.\n"
                   "Therefore, the answer is (B).",
            "wrong": "In this land fire is icy cold, so a fire would make her hands colder.\n"
                     "Fires give off heat, so holding her hands near a fire warms them.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": "A wizard's cat can speak, but only on Tuesdays. Today is Friday. Can the cat speak today?\n"
                 "Options:\n(A) No.\n(B) Yes.",
            "cot": "The cat can speak only on Tuesdays.\n"
                   "Today is Friday, not Tuesday, so the cat cannot speak today.\n"
                   "Therefore, the answer is (A).",
            "wrong": "The cat can speak only on Tuesdays.\n"
                     "It is a wizard's cat, so it can speak whenever it wants.\n"
                     "Therefore, the answer is (B).",
        },
    ],
    "figure_of_speech_detection": [
        {
            "q": _FIGURE + "The wind whispered through the trees.\n"
                 "Options:\n(A) Oxymoron\n(B) Hyperbole\n(C) Onomatopoeia\n(D) Simile\n(E) Personification\n"
                 "(F) Euphemism\n(G) Apostrophe\n(H) Metaphor\n(I) Alliteration\n(J) Pun",
            "cot": "Whispering is something only people do.\n"
                   "Giving a human action to the wind is personification.\n"
                   "Therefore, the answer is (E).",
            "wrong": "Whispering is something only people do.\n"
                     "The sentence calls the wind a whisper without \"like\" or \"as\", which is a metaphor.\n"
                     "Therefore, the answer is (H).",
        },
        {
            "q": _FIGURE + "I have told you a million times to clean your room.\n"
                 "Options:\n(A) Metaphor\n(B) Euphemism\n(C) Personification\n(D) Simile\n(E) Oxymoron\n(F) Pun\n"
                 "(G) Apostrophe\n(H) Alliteration\n(I) Onomatopoeia\n(J) Hyperbole",
            "cot": "Nobody can say the same thing a million times; the number is a huge exaggeration.\n"
                   "An exaggeration for emphasis is hyperbole.\n"
                   "Therefore, the answer is (J).",
            "wrong": "Nobody can say the same thing a million times; the number is a huge exaggeration.\n"
                     "The number makes the complaint sound softer, which is a euphemism.\n"
                     "Therefore, the answer is (B).",
        },
        {
            "q": _FIGURE + "The old clock went tick-tock all night.\n"
                 "Options:\n(A) Alliteration\n(B) Oxymoron\n(C) Pun\n(D) Euphemism\n(E) Simile\n(F) Hyperbole\n"
                 "(G) Onomatopoeia\n(H) Metaphor\n(I) Personification\n(J) Apostrophe",
            "cot": "\"Tick-tock\" imitates the sound that a clock makes.\n"
                   "A word that imitates a sound is onomatopoeia.\n"
                   "Therefore, the answer is (G).",
            "wrong": "\"Tick-tock\" imitates the sound that a clock makes.\n"
                     "\"Tick\" and \"tock\" start with the same t sound, which is alliteration.\n"
                     "Therefore, the answer is (A).",
        },
    ],
    "general_knowledge": [
        {
            "q": "How many wheels does a bicycle have?\n"
                 "Options:\n(A) three\n(B) one\n(C) two\n(D) four\n(E) none\n(F) six",
            "cot": "The prefix \"bi\" means two, and a bicycle has a front and a back wheel.\n"
                   "So a bicycle has two wheels.\n"
                   "Therefore, the answer is (C).",
            "wrong": "The prefix \"bi\" means two, and a bicycle has a front and a back wheel.\n"
                     "Adding the pedal wheel, a bicycle has three wheels.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": "At what temperature in degrees Celsius does pure water freeze at sea level?\n"
                 "Options:\n(A) 100\n(B) 0\n(C) 32\n(D) -10\n(E) 10",
            "cot": "The Celsius scale is defined from the freezing and boiling points of water at sea level.\n"
                   "Water freezes at 0 degrees Celsius and boils at 100.\n"
                   "Therefore, the answer is (B).",
            "wrong": "The Celsius scale is defined from the freezing and boiling points of water at sea level.\n"
                     "Water freezes at 32 degrees.\n"
                     "Therefore, the answer is (C).",
        },
        {
            "q": "What do bees make?\nOptions:\n(A) milk\n(B) silk\n(C) wool\n(D) honey\n(E) butter",
            "cot": "Bees collect nectar from flowers and store it in their hive.\n"
                   "In the hive they turn the nectar into honey.\n"
                   "Therefore, the answer is (D).",
            "wrong": "Bees collect nectar from flowers and store it in their hive.\n"
                     "In the hive they spin the nectar into silk.\n"
                     "Therefore, the answer is (B).",
        },
    ],
    "gre_reading_comprehension": [
        {
            "q": "For decades, historians assumed that medieval farmers rarely traveled beyond their own villages. "
                 "Recent studies of market records, however, show that many farmers regularly carried goods to "
                 "towns more than a day's walk away. These findings suggest that rural life was far less isolated "
                 "than was once believed. The primary purpose of the passage is to\n"
                 "Options:\n(A) describe how medieval markets were taxed\n"
                 "(B) challenge an assumption about medieval rural life\n"
                 "(C) argue that medieval towns were larger than villages\n"
                 "(D) praise historians for their careful research\n(E) explain why farmers disliked travel",
            "cot": "The passage states an old assumption (farmers rarely traveled) and then evidence against it.\n"
                   "It concludes that rural life was less isolated than believed, so its purpose is to challenge "
                   "that assumption.\n"
                   "Therefore, the answer is (B).",
            "wrong": "The passage states an old assumption (farmers rarely traveled) and then evidence against it.\n"
                     "It relies on the market records that historians studied, so its purpose is to praise their "
                     "research.\n"
                     "Therefore, the answer is (D).",
        },
        {
            "q": "Although the chemist's early experiments were widely ridiculed, she persisted, refining her "
                 "methods year after year until her results could no longer be ignored. In the context in which it "
                 "is used, persisted most nearly means\n"
                 "Options:\n(A) gave up\n(B) complained\n(C) hid her work\n(D) hurried\n(E) continued steadily",
            "cot": "After the ridicule she kept refining her methods year after year.\n"
                   "Going on with an effort despite opposition is continuing steadily.\n"
                   "Therefore, the answer is (E).",
            "wrong": "After the ridicule she kept refining her methods year after year.\n"
                     "\"Although\" signals a contrast with success, so she gave up.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": "Coral reefs cover less than one percent of the ocean floor, yet they support about a quarter of "
                 "all marine species. Because so many species depend on them at some stage of life, damage to "
                 "reefs can harm ecosystems far beyond the reefs themselves. Which of the following can be "
                 "inferred from the passage?\n"
                 "Options:\n(A) Most marine species live only on coral reefs.\n"
                 "(B) Coral reefs cover about a quarter of the ocean floor.\n"
                 "(C) The loss of reefs could affect species that spend only part of their lives there.\n"
                 "(D) Coral reefs are found only in cold water.\n(E) Damage to reefs has no effect elsewhere.",
            "cot": "The passage says that many species depend on reefs at some stage of life.\n"
                   "So damaging reefs can affect species that live there only for part of their lives.\n"
                   "Therefore, the answer is (C).",
            "wrong": "The passage says that many species depend on reefs at some stage of life.\n"
                     "Since reefs support a quarter of species, they must cover about a quarter of the ocean floor.\n"
                     "Therefore, the answer is (B).",
        },
    ],
    "human_organs_senses": [
        {
            "q": "Which organ do we use to listen to music?\nOptions:\n(A) eye\n(B) nose\n(C) ear\n(D) tongue",
            "cot": "Listening to music means hearing sound.\n"
                   "Sound is collected by the ears.\n"
                   "Therefore, the answer is (C).",
            "wrong": "Listening to music means hearing sound.\n"
                     "Sound comes out of the mouth through the tongue.\n"
                     "Therefore, the answer is (D).",
        },
        {
            "q": "Which organ pumps blood through the body?\nOptions:\n(A) heart\n(B) lungs\n(C) liver\n(D) stomach",
            "cot": "Blood is moved through the blood vessels by a muscular pump.\n"
                   "That pump is the heart.\n"
                   "Therefore, the answer is (A).",
            "wrong": "Blood is moved through the blood vessels by a muscular pump.\n"
                     "The lungs expand and contract, so they are the pump.\n"
                     "Therefore, the answer is (B).",
        },
        {
            "q": "Which sense do we use the nose for?\nOptions:\n(A) touch\n(B) sight\n(C) taste\n(D) smell",
            "cot": "The nose takes in air and the odours carried by it.\n"
                   "Detecting odours is the sense of smell.\n"
                   "Therefore, the answer is (D).",
            "wrong": "The nose takes in air and the odours carried by it.\n"
                     "Odours also flavour food, so the nose is for taste.\n"
                     "Therefore, the answer is (C).",
        },
    ],
    "identify_math_theorems": [
        {
            "q": _THEOREM + "Every prime number is odd.\n"
                 "Options:\n(A) Every prime number is odd.\n(B) Every odd number is prime.\n"
                 "(C) Every prime number greater than $2$ is odd.\n(D) Every prime number is even.",
            "cot": "$2$ is a prime number and it is even, so the theorem as given is false.\n"
                   "Every other prime has no divisor $2$, so every prime greater than $2$ is odd.\n"
                   "Therefore, the answer is (C).",
            "wrong": "$2$ is a prime number and it is even, so the theorem as given is false.\n"
                     "Swapping the two properties fixes it: every odd number is prime.\n"
                     "Therefore, the answer is (B).",
        },
        {
            "q": _THEOREM + r"The sum of the interior angles of a triangle in the Euclidean plane is $180^\circ$."
                 "\nOptions:\n"
                 r"(A) The sum of the interior angles of a triangle in the Euclidean plane is $360^\circ$." "\n"
                 r"(B) The sum of the interior angles of a triangle in the Euclidean plane is $180^\circ$." "\n"
                 r"(C) The sum of the interior angles of a square in the Euclidean plane is $180^\circ$." "\n"
                 r"(D) The sum of the exterior angles of a triangle in the Euclidean plane is $180^\circ$.",
            "cot": r"In the Euclidean plane the angles of any triangle add up to $180^\circ$." "\n"
                   "So the theorem is true and is written exactly as given.\n"
                   "Therefore, the answer is (B).",
            "wrong": r"In the Euclidean plane the angles of any triangle add up to $180^\circ$." "\n"
                     r"A full turn is $360^\circ$, so the correct sum is $360^\circ$." "\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": _THEOREM + r"For all $x\in\mathbb{R}$, $x^2>0$." "\nOptions:\n"
                 r"(A) For all $x\in\mathbb{R}$, $x^2>0$." "\n"
                 r"(B) For all $x\in\mathbb{R}$, $x^2<0$." "\n"
                 r"(C) For all $x\in\mathbb{R}$, $x^2\geq 0$." "\n"
                 r"(D) For all $x\in\mathbb{R}$, $x^3\geq 0$.",
            "cot": r"For $x=0$ we get $x^2=0$, which is not $>0$, so the theorem as given is false." "\n"
                   r"A square of a real number is never negative, so $x^2\geq 0$ for all real $x$." "\n"
                   "Therefore, the answer is (C).",
            "wrong": r"For $x=0$ we get $x^2=0$, which is not $>0$, so the theorem as given is false." "\n"
                     r"Raising to a higher power keeps the sign, so $x^3\geq 0$ for all real $x$." "\n"
                     "Therefore, the answer is (D).",
        },
    ],
    "identify_odd_metaphor": [
        {
            "q": "Which of the following sentences relating to time does not use metaphorical language that could "
                 "also be applied to money?\n"
                 "Options:\n(A) You are wasting my time.\n(B) I spent two hours on this puzzle.\n"
                 "(C) The meeting starts at noon.\n(D) This shortcut will save you an hour.",
            "cot": "\"Wasting\", \"spent\" and \"save\" are words we also use for money, treating time as money.\n"
                   "\"The meeting starts at noon\" only states a time and uses no money metaphor.\n"
                   "Therefore, the answer is (C).",
            "wrong": "\"Wasting\", \"spent\" and \"save\" are words we also use for money, treating time as money.\n"
                     "\"Wasting\" is mostly said of food, so \"You are wasting my time\" is not about money.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": "Which of the following sentences relating to life does not use metaphorical language that could "
                 "also be applied to a journey?\n"
                 "Options:\n(A) She is at a crossroads in her life.\n(B) He has come a long way since school.\n"
                 "(C) Their careers took different paths.\n(D) He was born in a small village.",
            "cot": "A crossroads, coming a long way and taking paths are all parts of a journey.\n"
                   "\"He was born in a small village\" is literal and uses no journey metaphor.\n"
                   "Therefore, the answer is (D).",
            "wrong": "A crossroads, coming a long way and taking paths are all parts of a journey.\n"
                     "A crossroads is a place on a map, not a movement, so (A) uses no journey metaphor.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": "Which of the following sentences relating to anger does not use metaphorical language that could "
                 "also be applied to heat?\n"
                 "Options:\n(A) She was boiling with rage.\n(B) He told her that he was angry.\n"
                 "(C) Give him time to cool down.\n(D) His temper flared up.",
            "cot": "Boiling, cooling down and flaring up describe hot things, treating anger as heat.\n"
                   "\"He told her that he was angry\" states the anger literally, with no heat metaphor.\n"
                   "Therefore, the answer is (B).",
            "wrong": "Boiling, cooling down and flaring up describe hot things, treating anger as heat.\n"
                     "Cooling down is about becoming cold, the opposite of heat, so (C) is the odd one.\n"
                     "Therefore, the answer is (C).",
        },
    ],
    "implicit_relations": [
        {
            "q": "Context and question: \"Grandpa, tell me the dragon story again,\" begged Lily, climbing onto the "
                 "old man's knee. Tom smiled and ruffled his granddaughter's hair. What is Tom to Lily?\n"
                 "Options:\n(A) Granduncle\n(B) Servant\n(C) Daughter-in-law\n(D) Son\n(E) Son-in-law\n(F) Master\n"
                 "(G) Father\n(H) Wife\n(I) Grandfather\n(J) Enemy\n(K) Lover\n(L) Brother\n(M) Mother-in-law\n"
                 "(N) Father-in-law\n(O) Husband\n(P) Sister-in-law\n(Q) Grandnephew\n(R) Cousin\n(S) Mother\n"
                 "(T) Colleague\n(U) Brother-in-law\n(V) Sister\n(W) Grandson\n(X) Daughter\n(Y) Grandmother",
            "cot": "Lily calls the old man \"Grandpa\", and the old man is Tom.\n"
                   "Tom calls Lily his granddaughter, so Tom is Lily's grandfather.\n"
                   "Therefore, the answer is (I).",
            "wrong": "Lily calls the old man \"Grandpa\", and the old man is Tom.\n"
                     "Tom plays with her like a parent, so Tom is Lily's father.\n"
                     "Therefore, the answer is (G).",
        },
        {
            "q": "Context and question: Anna handed the car keys to Paul. \"You drive, darling,\" she said. \"It is "
                 "our wedding anniversary, and I drove the whole way here.\" What is Paul to Anna?\n"
                 "Options:\n(A) Cousin\n(B) Daughter-in-law\n(C) Husband\n(D) Lover\n(E) Grandmother\n"
                 "(F) Grandfather\n(G) Grandnephew\n(H) Master\n(I) Granduncle\n(J) Mother\n(K) Enemy\n(L) Daughter\n"
                 "(M) Colleague\n(N) Father-in-law\n(O) Brother\n(P) Wife\n(Q) Son\n(R) Grandson\n(S) Servant\n"
                 "(T) Sister-in-law\n(U) Brother-in-law\n(V) Mother-in-law\n(W) Son-in-law\n(X) Sister\n(Y) Father",
            "cot": "Anna calls Paul \"darling\" and mentions \"our wedding anniversary\".\n"
                   "A man who shares a wedding anniversary with Anna is married to her, so Paul is her husband.\n"
                   "Therefore, the answer is (C).",
            "wrong": "Anna calls Paul \"darling\" and mentions \"our wedding anniversary\".\n"
                     "Anna gives Paul an order to drive her, so Paul is her servant.\n"
                     "Therefore, the answer is (S).",
        },
        {
            "q": "Context and question: \"Your mother and I are very proud of you,\" said Mr. Clark, as Jake, his "
                 "only boy, opened the letter from the university. What is Jake to Mr. Clark?\n"
                 "Options:\n(A) Sister\n(B) Wife\n(C) Servant\n(D) Grandson\n(E) Father-in-law\n(F) Son\n(G) Brother\n"
                 "(H) Master\n(I) Sister-in-law\n(J) Son-in-law\n(K) Daughter\n(L) Daughter-in-law\n(M) Husband\n"
                 "(N) Grandfather\n(O) Father\n(P) Grandmother\n(Q) Granduncle\n(R) Lover\n(S) Enemy\n"
                 "(T) Brother-in-law\n(U) Mother-in-law\n(V) Colleague\n(W) Mother\n(X) Cousin\n(Y) Grandnephew",
            "cot": "Mr. Clark tells Jake \"your mother and I\", so Mr. Clark is Jake's father.\n"
                   "Jake is called his only boy, so Jake is Mr. Clark's son.\n"
                   "Therefore, the answer is (F).",
            "wrong": "Mr. Clark tells Jake \"your mother and I\", so Mr. Clark is Jake's father.\n"
                     "A young man going to university with an older man is usually a grandson.\n"
                     "Therefore, the answer is (D).",
        },
    ],
    "irony_identification": [
        {
            "q": _IRONY + "The fire station burned down last night.\nIronic/Not ironic?\n"
                 "Options:\n(A) ironic\n(B) not ironic",
            "cot": "A fire station is the place whose job is to fight fires.\n"
                   "It being destroyed by a fire is the opposite of what one expects, which is situational irony.\n"
                   "Therefore, the answer is (A).",
            "wrong": "A fire station is the place whose job is to fight fires.\n"
                     "Any building can catch fire, so this is just an unlucky event and not ironic.\n"
                     "Therefore, the answer is (B).",
        },
        {
            "q": _IRONY + "I went to the store and bought some milk.\nIronic/Not ironic?\n"
                 "Options:\n(A) ironic\n(B) not ironic",
            "cot": "The sentence describes an ordinary errand: buying milk at a store.\n"
                   "Nothing in it is unexpected or means the opposite of what it says, so it is not ironic.\n"
                   "Therefore, the answer is (B).",
            "wrong": "The sentence describes an ordinary errand: buying milk at a store.\n"
                     "Telling someone about such a boring errand must be sarcastic, so it is ironic.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": _IRONY + "\"Lovely weather,\" he said, as the rain soaked through his coat.\nIronic/Not ironic?\n"
                 "Options:\n(A) not ironic\n(B) ironic",
            "cot": "He calls the weather lovely while he is getting soaked by the rain.\n"
                   "He says the opposite of what he means, which is verbal irony.\n"
                   "Therefore, the answer is (B).",
            "wrong": "He calls the weather lovely while he is getting soaked by the rain.\n"
                     "Some people enjoy rain, so he means what he says and it is not ironic.\n"
                     "Therefore, the answer is (A).",
        },
    ],
    "kannada": [
        {
            "q": "ಹಗಲಲ್ಲಿ ಬರುತ್ತೇನೆ, ರಾತ್ರಿ ಹೋಗುತ್ತೇನೆ.  ನಾನು ಯಾರು?\n"
                 "Options:\n(A) ಚಂದ್ರ\n(B) ದೀಪ\n(C) ಸೂರ್ಯ\n(D) ನಕ್ಷತ್ರ",
            "cot": "The riddle says: \"I come in the daytime and go away at night. Who am I?\"\n"
                   "The sun (ಸೂರ್ಯ) appears during the day and is gone at night.\n"
                   "Therefore, the answer is (C).",
            "wrong": "The riddle says: \"I come in the daytime and go away at night. Who am I?\"\n"
                     "The moon (ಚಂದ್ರ) is the one that comes and goes in the sky.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": "ಕಾಲಿಲ್ಲದಿದ್ದರೂ ನೀರಿನಲ್ಲಿ ಈಜುತ್ತೇನೆ.  ನಾನು ಯಾರು?\n"
                 "Options:\n(A) ಕಪ್ಪೆ\n(B) ಮೀನು\n(C) ಬೆಕ್ಕು\n(D) ಬಾತುಕೋಳಿ",
            "cot": "The riddle says: \"Though I have no legs, I swim in the water. Who am I?\"\n"
                   "A fish (ಮೀನು) swims without legs; the frog and the duck have legs and the cat does not live in "
                   "water.\n"
                   "Therefore, the answer is (B).",
            "wrong": "The riddle says: \"Though I have no legs, I swim in the water. Who am I?\"\n"
                     "A duck (ಬಾತುಕೋಳಿ) floats on the water all day, so it is the swimmer.\n"
                     "Therefore, the answer is (D).",
        },
        {
            "q": "ಮಳೆ ಬಂದಾಗ ತಲೆಯ ಮೇಲೆ ಅರಳುತ್ತೇನೆ.  ನಾನು ಯಾರು?\n"
                 "Options:\n(A) ಕೊಡೆ\n(B) ಟೋಪಿ\n(C) ಚಪ್ಪಲಿ\n(D) ಹೂವು",
            "cot": "The riddle says: \"When the rain comes, I open up (bloom) above your head. Who am I?\"\n"
                   "An umbrella (ಕೊಡೆ) is opened over the head when it rains.\n"
                   "Therefore, the answer is (A).",
            "wrong": "The riddle says: \"When the rain comes, I open up (bloom) above your head. Who am I?\"\n"
                     "Blooming is what a flower (ಹೂವು) does after the rain.\n"
                     "Therefore, the answer is (D).",
        },
    ],
    "known_unknowns": [
        {
            "q": "Who wrote the play Romeo and Juliet?\nOptions:\n(A) Unknown\n(B) William Shakespeare",
            "cot": "Romeo and Juliet is a well-documented play from the 1590s.\n"
                   "Its author is known: William Shakespeare.\n"
                   "Therefore, the answer is (B).",
            "wrong": "Romeo and Juliet is a well-documented play from the 1590s.\n"
                     "Plays that old have lost their authors' names, so the author is unknown.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": "What was the name of Julius Caesar's favorite childhood toy?\n"
                 "Options:\n(A) A wooden horse called Victor\n(B) Unknown",
            "cot": "Ancient sources describe Caesar's political and military life, not his childhood toys.\n"
                   "No record tells us his favorite toy, so the answer is unknown.\n"
                   "Therefore, the answer is (B).",
            "wrong": "Ancient sources describe Caesar's political and military life, not his childhood toys.\n"
                     "Roman children played with wooden horses, so his favorite toy was the wooden horse Victor.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": "How many hairs were on Napoleon's head on the day of his coronation?\n"
                 "Options:\n(A) Unknown\n(B) 98,000",
            "cot": "Nobody counted the hairs on Napoleon's head, on that day or any other.\n"
                   "So the number cannot be known.\n"
                   "Therefore, the answer is (A).",
            "wrong": "Nobody counted the hairs on Napoleon's head, on that day or any other.\n"
                     "An adult has about 100,000 hairs, so Napoleon had exactly 98,000.\n"
                     "Therefore, the answer is (B).",
        },
    ],
    "logic_grid_puzzle": [
        {
            "q": "There are 2 houses next to each other, numbered 1 on the left and 2 on the right. There is one "
                 "person living in each house. The people in these houses have different characteristics:\n"
                 " - Each person has a different pet: one has a cat and one has a dog\n"
                 " - Each person has a favorite drink: one is a tea drinker and one is a coffee drinker\n\n"
                 "Clue(s):\n1. The person who has a cat does not live in the first house.\n"
                 "2. The tea drinker lives in the second house.\n\n"
                 "What is the number of the house where the person who has a dog lives?\nOptions:\n(A) 2\n(B) 1",
            "cot": "Clue 1: the cat owner is not in house 1, so the cat owner lives in house 2.\n"
                   "The dog owner lives in the other house, house 1.\n"
                   "Therefore, the answer is (B).",
            "wrong": "Clue 1: the cat owner is not in house 1, so the cat owner lives in house 2.\n"
                     "Clue 2 puts the tea drinker in house 2, and tea drinkers keep dogs, so the dog owner lives in "
                     "house 2.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": "There are 3 houses in a row, numbered 1 on the left to 3 on the right. There is one person "
                 "living in each house. The people in these houses have different characteristics:\n"
                 " - Each person has a favorite color: one likes red, one likes green, and one likes blue\n"
                 " - Each person has a different sport: one plays tennis, one plays golf, and one swims\n\n"
                 "Clue(s):\n1. The person who likes red lives in the third house.\n"
                 "2. The person who likes blue lives directly left of the person who likes red.\n\n"
                 "What is the number of the house where the person who likes green lives?\n"
                 "Options:\n(A) 2\n(B) 3\n(C) 1",
            "cot": "Clue 1: the person who likes red lives in house 3.\n"
                   "Clue 2: blue is directly left of red, so blue is in house 2.\n"
                   "Green takes the remaining house, house 1.\n"
                   "Therefore, the answer is (C).",
            "wrong": "Clue 1: the person who likes red lives in house 3.\n"
                     "Clue 2: blue is directly left of red, so blue is in house 2.\n"
                     "Green is not in any clue, so it goes next to red, in house 2.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": "There are 3 houses in a row, numbered 1 on the left to 3 on the right. There is one person "
                 "living in each house. The people in these houses have different characteristics:\n"
                 " - Each person has a different pet: one has a dog, one has a cat, and one has a fish\n"
                 " - Each person has a different job: one is a baker, one is a nurse, and one is a pilot\n\n"
                 "Clue(s):\n1. The person who has a dog lives in the second house.\n"
                 "2. The person who has a cat does not live in the first house.\n\n"
                 "What is the number of the house where the person who has a fish lives?\n"
                 "Options:\n(A) 3\n(B) 1\n(C) 2",
            "cot": "Clue 1: the dog owner lives in house 2.\n"
                   "Clue 2: the cat owner is not in house 1 and house 2 is taken, so the cat owner is in house 3.\n"
                   "The fish owner takes the remaining house, house 1.\n"
                   "Therefore, the answer is (B).",
            "wrong": "Clue 1: the dog owner lives in house 2.\n"
                     "Clue 2: the cat owner is not in house 1 and house 2 is taken, so the cat owner is in house 3.\n"
                     "The fish owner takes the house at the end of the row, house 3.\n"
                     "Therefore, the answer is (A).",
        },
    ],
    "logical_args": [
        {
            "q": _ARGS + "A town noticed that ice cream sales and sunburns both rise during the summer months. The "
                 "mayor concluded that eating ice cream causes sunburn. Which of the following best describes the "
                 "flaw in the mayor's reasoning?\n"
                 "Options:\n(A) It relies on a sample that is too small.\n"
                 "(B) It ignores that hot, sunny weather could cause both.\n"
                 "(C) It attacks the person instead of the argument.\n(D) It assumes that ice cream is unhealthy.",
            "cot": "The mayor goes from two things rising together to one causing the other.\n"
                   "Sunny summer weather makes people both buy ice cream and get sunburned, a common cause the mayor "
                   "ignores.\n"
                   "Therefore, the answer is (B).",
            "wrong": "The mayor goes from two things rising together to one causing the other.\n"
                     "One town is only a few people, so the flaw is the small sample.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": _ARGS + "A company claims that its new fertilizer makes tomato plants grow taller. Which of the "
                 "following statements, if it were true, would most strengthen the company's claim?\n"
                 "Options:\n(A) The fertilizer is cheaper than other brands.\n"
                 "(B) Many gardeners like the smell of the fertilizer.\n"
                 "(C) Tomato plants grow taller in summer than in spring.\n"
                 "(D) In a controlled trial, plants given the fertilizer grew taller than identical plants that "
                 "were not.",
            "cot": "The claim is that the fertilizer causes taller growth.\n"
                   "A controlled trial that compares identical plants with and without it directly supports that "
                   "cause.\n"
                   "Therefore, the answer is (D).",
            "wrong": "The claim is that the fertilizer causes taller growth.\n"
                     "Plants grow taller in summer, when fertilizer is used, so that supports the claim most.\n"
                     "Therefore, the answer is (C).",
        },
        {
            "q": _ARGS + "Jenna argues that the town library should stay open later in the evening because many "
                 "students study in the evening. Which of the following statements, if it were true, would most "
                 "weaken Jenna's argument?\n"
                 "Options:\n(A) Almost all students who study in the evening do so at home and never use the "
                 "library.\n(B) The library has a large collection of textbooks.\n"
                 "(C) Many students find it easier to concentrate in the evening.\n"
                 "(D) The library is popular with students on weekends.",
            "cot": "Jenna's argument assumes that evening students would use the library if it were open.\n"
                   "If almost all of them study at home and never use the library, longer hours would not help them.\n"
                   "Therefore, the answer is (A).",
            "wrong": "Jenna's argument assumes that evening students would use the library if it were open.\n"
                     "If students concentrate better in the evening, they do not need the library, so that weakens "
                     "it most.\n"
                     "Therefore, the answer is (C).",
        },
    ],
    "logical_fallacy_detection": [
        {
            "q": "This AI is identifying whether statements contain fallacies. The AI responds with 'Valid' or "
                 "'Invalid' as appropriate. All mammals breathe air. Whales are mammals. Therefore, whales "
                 "breathe air.\nOptions:\n(A) Invalid\n(B) Valid",
            "cot": "The argument has the form: all M are B; W is an M; so W is B.\n"
                   "That form is deductively valid and contains no fallacy.\n"
                   "Therefore, the answer is (B).",
            "wrong": "The argument has the form: all M are B; W is an M; so W is B.\n"
                     "Whales live in water, so the conclusion is a hasty generalization and the argument is "
                     "fallacious.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": "Do you think the following argument is 'Valid' or 'Invalid'? My neighbor's dog bit someone "
                 "once, so all dogs are dangerous.\nOptions:\n(A) Valid\n(B) Invalid",
            "cot": "The argument draws a conclusion about all dogs from a single dog.\n"
                   "Generalizing from one case is the fallacy of hasty generalization.\n"
                   "Therefore, the answer is (B).",
            "wrong": "The argument draws a conclusion about all dogs from a single dog.\n"
                     "Dogs are all the same species, so one dog is enough evidence about all dogs.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": "Do you think the following argument is 'Valid' or 'Invalid'? If it rains, the street gets wet. "
                 "The street is wet. Therefore, it rained.\nOptions:\n(A) Invalid\n(B) Valid",
            "cot": "The argument has the form: if R then W; W; so R.\n"
                   "This is affirming the consequent: the street could be wet for another reason, such as a street "
                   "cleaner.\n"
                   "Therefore, the answer is (A).",
            "wrong": "The argument has the form: if R then W; W; so R.\n"
                     "This is modus ponens, which is a valid form.\n"
                     "Therefore, the answer is (B).",
        },
    ],
    "logical_sequence": [
        {
            "q": "Which of the following lists is correctly ordered chronologically?\n"
                 "Options:\n(A) board the plane, pack a suitcase, check in at the airport\n"
                 "(B) pack a suitcase, check in at the airport, board the plane\n"
                 "(C) check in at the airport, pack a suitcase, board the plane\n"
                 "(D) pack a suitcase, board the plane, check in at the airport",
            "cot": "A traveller packs the suitcase at home before going to the airport.\n"
                   "At the airport one checks in first and boards the plane last.\n"
                   "Therefore, the answer is (B).",
            "wrong": "A traveller packs the suitcase at home before going to the airport.\n"
                     "Check-in is done online the day before, so it comes before packing.\n"
                     "Therefore, the answer is (C).",
        },
        {
            "q": "Which of the following lists is correctly ordered sequentially?\n"
                 "Options:\n(A) March, January, April, February\n(B) January, March, February, April\n"
                 "(C) February, January, March, April\n(D) January, February, March, April",
            "cot": "The months of the year start with January, February, March, April.\n"
                   "Only one list keeps that order.\n"
                   "Therefore, the answer is (D).",
            "wrong": "The months of the year start with January, February, March, April.\n"
                     "The list that starts with January and ends with April is the first one.\n"
                     "Therefore, the answer is (B).",
        },
        {
            "q": "Which of the following lists is correctly ordered chronologically?\n"
                 "Options:\n(A) child, baby, adult, teenager\n(B) baby, child, teenager, adult\n"
                 "(C) baby, teenager, child, adult\n(D) adult, teenager, child, baby",
            "cot": "A person is first a baby, then a child, then a teenager and finally an adult.\n"
                   "The list in that order is baby, child, teenager, adult.\n"
                   "Therefore, the answer is (B).",
            "wrong": "A person is first a baby, then a child, then a teenager and finally an adult.\n"
                     "Counting back from today, the order is adult, teenager, child, baby.\n"
                     "Therefore, the answer is (D).",
        },
    ],
    "mathematical_induction": [
        {
            "q": "1 is an odd integer. If k is odd, then k + 2 is odd. Therefore, 9 is odd.\n" +
                 _INDUCTION + "Options:\n(A) No\n(B) Yes",
            "cot": "Base case: 1 is odd. Step: if k is odd, then k + 2 is odd.\n"
                   "From 1 the step gives 3, 5, 7 and then 9, so the induction correctly reaches 9.\n"
                   "Therefore, the answer is (B).",
            "wrong": "Base case: 1 is odd. Step: if k is odd, then k + 2 is odd.\n"
                     "The step only adds 2 once, so from 1 it reaches 3 but never 9.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": "If k is odd, then k + 2 is odd. Therefore, 13 is odd.\n" + _INDUCTION
                 + "Options:\n(A) Yes\n(B) No",
            "cot": "Step: if k is odd, then k + 2 is odd.\n"
                   "There is no base case, so the step alone proves nothing about 13.\n"
                   "Therefore, the answer is (B).",
            "wrong": "Step: if k is odd, then k + 2 is odd.\n"
                     "13 is well known to be odd, so the argument is correct.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": "4 is an odd integer. If k is odd, then k + 2 is odd. Therefore, 10 is odd.\n" +
                 _INDUCTION + "Options:\n(A) Yes\n(B) No",
            "cot": "Base case: 4 is odd (a false assumption, but the question is only about the form of the "
                   "argument). Step: if k is odd, then k + 2 is odd.\n"
                   "From 4 the step gives 6, 8 and then 10, so the induction correctly reaches 10.\n"
                   "Therefore, the answer is (A).",
            "wrong": "Base case: 4 is odd (a false assumption, but the question is only about the form of the "
                     "argument). Step: if k is odd, then k + 2 is odd.\n"
                     "4 is actually even, so the argument is not a correct induction.\n"
                     "Therefore, the answer is (B).",
        },
    ],
    "metaphor_boolean": [
        {
            "q": _METAPHOR + "Her voice was music to his ears. <--> He loved hearing her voice.\n"
                 "Options:\n(A) False\n(B) True",
            "cot": "\"Music to his ears\" means something very pleasant to hear.\n"
                   "So the metaphor says that he loved hearing her voice, which matches the second sentence.\n"
                   "Therefore, the answer is (B).",
            "wrong": "\"Music to his ears\" means something very pleasant to hear.\n"
                     "The second sentence does not mention singing, so it misses the meaning.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": _METAPHOR + "The classroom was a zoo. <--> The classroom was full of animals.\n"
                 "Options:\n(A) False\n(B) True",
            "cot": "Calling a classroom a zoo means that it was noisy and chaotic.\n"
                   "The second sentence reads the metaphor literally, so it is not the correct paraphrase.\n"
                   "Therefore, the answer is (A).",
            "wrong": "Calling a classroom a zoo means that it was noisy and chaotic.\n"
                     "A zoo is a place full of animals, so the second sentence paraphrases it.\n"
                     "Therefore, the answer is (B).",
        },
        {
            "q": _METAPHOR + "Time is a thief. <--> Time slowly takes things away from us.\n"
                 "Options:\n(A) False\n(B) True",
            "cot": "A thief takes things from people without asking.\n"
                   "The metaphor says that time takes away youth and moments from us, which is what the second "
                   "sentence says.\n"
                   "Therefore, the answer is (B).",
            "wrong": "A thief takes things from people without asking.\n"
                     "Time cannot commit crimes, so the two sentences mean different things.\n"
                     "Therefore, the answer is (A).",
        },
    ],
    "misconceptions": [
        {
            "q": _MISCONCEPTION + "Goldfish have a memory span of only three seconds.\nOptions:\n(A) T\n(B) F",
            "cot": "Experiments show that goldfish can learn tasks and remember them for months.\n"
                   "The three-second memory is a popular myth, so the statement is false.\n"
                   "Therefore, the answer is (B).",
            "wrong": "Experiments show that goldfish can learn tasks and remember them for months.\n"
                     "Fish have tiny brains, so the three-second memory is true.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": _MISCONCEPTION + "Lightning can strike the same place more than once.\nOptions:\n(A) T\n(B) F",
            "cot": "Tall structures such as the Empire State Building are struck by lightning many times a year.\n"
                   "So lightning does strike the same place more than once, and the statement is true.\n"
                   "Therefore, the answer is (A).",
            "wrong": "Tall structures such as the Empire State Building are struck by lightning many times a year.\n"
                     "As the saying goes, lightning never strikes twice, so the statement is false.\n"
                     "Therefore, the answer is (B).",
        },
        {
            "q": _MISCONCEPTION + "Humans use only 10 percent of their brains.\nOptions:\n(A) T\n(B) F",
            "cot": "Brain scans show activity in nearly all parts of the brain over a day.\n"
                   "The 10 percent figure is a myth, so the statement is false.\n"
                   "Therefore, the answer is (B).",
            "wrong": "Brain scans show activity in nearly all parts of the brain over a day.\n"
                     "At any single moment only a small part is busy, so the 10 percent figure is true.\n"
                     "Therefore, the answer is (A).",
        },
    ],
    "moral_permissibility": [
        {
            "q": "A lifeguard sees a child drowning. To reach the child in time she must push past a man standing "
                 "in her way on the pier; he will stumble but not be hurt. Should she push past the man?\n"
                 "Options:\n(A) Yes\n(B) No",
            "cot": "Pushing past the man causes him only a stumble and no harm.\n"
                   "Saving a child's life far outweighs that small push, so most people would say she should.\n"
                   "Therefore, the answer is (A).",
            "wrong": "Pushing past the man causes him only a stumble and no harm.\n"
                     "Pushing a person is never allowed, so she must wait for him to move.\n"
                     "Therefore, the answer is (B).",
        },
        {
            "q": "A surgeon has five patients who will each die without a different organ transplant. A healthy "
                 "young man comes in for a routine check-up. Should the surgeon kill the young man and use his "
                 "organs to save the five patients?\nOptions:\n(A) Yes\n(B) No",
            "cot": "Killing the young man would save five lives but would murder an innocent person who came for "
                   "care.\n"
                   "Most people judge that using a person this way is forbidden, whatever the numbers.\n"
                   "Therefore, the answer is (B).",
            "wrong": "Killing the young man would save five lives but would murder an innocent person who came for "
                     "care.\n"
                     "Five lives count more than one, so the surgeon should do it.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": "A runaway trolley is heading toward five workers on the track. You can pull a lever that sends "
                 "the trolley onto a side track, where it will hit one worker instead. Should you pull the lever?\n"
                 "Options:\n(A) No\n(B) Yes",
            "cot": "Pulling the lever redirects a threat that already exists, so one dies instead of five.\n"
                   "Most people judge that redirecting the trolley to save five is permissible.\n"
                   "Therefore, the answer is (B).",
            "wrong": "Pulling the lever redirects a threat that already exists, so one dies instead of five.\n"
                     "Most people judge that any action that causes a death is forbidden, so you should not.\n"
                     "Therefore, the answer is (A).",
        },
    ],
    "movie_dialog_same_or_different": [
        {
            "q": _MOVIE + "Are you coming to the party tonight? I can't, I have to work late. That's too bad. "
                 "----- In the preceding conversation, were the sentences \"Are you coming to the party tonight?\" "
                 "and \"I can't, I have to work late.\" \n"
                 "said by the same or different individuals?\nOptions:\n(A) same\n(B) different",
            "cot": "\"Are you coming to the party tonight?\" is a question to the other person.\n"
                   "\"I can't, I have to work late.\" answers it, so it comes from the other speaker.\n"
                   "Therefore, the answer is (B).",
            "wrong": "\"Are you coming to the party tonight?\" is a question to the other person.\n"
                     "The speaker then explains that they cannot come themselves, so it is the same person.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": _MOVIE + "Where are my keys? I left them right here on the table. Did you check your coat "
                 "pocket? ----- In the preceding conversation, were the sentences \"Where are my keys?\" and \"I "
                 "left them right here on the table.\" \n"
                 "said by the same or different individuals?\nOptions:\n(A) same\n(B) different",
            "cot": "The first sentence asks about \"my keys\".\n"
                   "\"I left them right here\" continues about the same keys from the owner's point of view, so it "
                   "is the same speaker.\n"
                   "Therefore, the answer is (A).",
            "wrong": "The first sentence asks about \"my keys\".\n"
                     "\"I left them right here\" answers the question, so the other person said it.\n"
                     "Therefore, the answer is (B).",
        },
        {
            "q": _MOVIE + "Is that your new car? Yes, I bought it last week. It's beautiful, congratulations! "
                 "----- In the preceding conversation, were the sentences \"Yes, I bought it last week.\" and "
                 "\"It's beautiful, congratulations!\" \n"
                 "said by the same or different individuals?\nOptions:\n(A) same\n(B) different",
            "cot": "\"Yes, I bought it last week.\" is said by the owner of the car.\n"
                   "People congratulate someone else, not themselves, so the compliment comes from the other person.\n"
                   "Therefore, the answer is (B).",
            "wrong": "\"Yes, I bought it last week.\" is said by the owner of the car.\n"
                     "The owner keeps talking about the car, so the owner also says it's beautiful.\n"
                     "Therefore, the answer is (A).",
        },
    ],
    "nonsense_words_grammar": [
        {
            "q": "Which word in the following sentence is a verb? The blintop zorved the crandle.\n"
                 "Options:\n(A) crandle\n(B) The\n(C) zorved\n(D) blintop",
            "cot": "The sentence has the shape \"The X Y-ed the Z\", like \"The dog chased the cat\".\n"
                   "\"Zorved\" sits in the verb position between the two nouns and has the past-tense ending -ed.\n"
                   "Therefore, the answer is (C).",
            "wrong": "The sentence has the shape \"The X Y-ed the Z\", like \"The dog chased the cat\".\n"
                     "\"Crandle\" ends in -le like the verbs \"handle\" and \"juggle\", so it is the verb.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": "Which word in the following sentence is an adjective? A very frumpish woggle sat on the mat.\n"
                 "Options:\n(A) woggle\n(B) frumpish\n(C) sat\n(D) very",
            "cot": "\"Frumpish\" comes after \"very\" and before the noun \"woggle\".\n"
                   "A word that \"very\" modifies and that describes a noun is an adjective.\n"
                   "Therefore, the answer is (B).",
            "wrong": "\"Frumpish\" comes after \"very\" and before the noun \"woggle\".\n"
                     "\"Woggle\" follows \"very\" too, so it is the adjective.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": "Which word in the following sentence is a noun? Three plimbets quickly drolled away.\n"
                 "Options:\n(A) quickly\n(B) drolled\n(C) Three\n(D) plimbets",
            "cot": "\"Three\" counts something, and the thing counted is \"plimbets\", with a plural -s.\n"
                   "The word being counted and doing the action is a noun.\n"
                   "Therefore, the answer is (D).",
            "wrong": "\"Three\" counts something, and the thing counted is \"plimbets\", with a plural -s.\n"
                     "\"Drolled\" is what the sentence is about, so it is the noun.\n"
                     "Therefore, the answer is (B).",
        },
    ],
    "odd_one_out": [
        {
            "q": "Pick the odd word out: dog, cat, carrot, horse\n"
                 "Options:\n(A) horse\n(B) carrot\n(C) cat\n(D) dog",
            "cot": "Dog, cat and horse are animals.\n"
                   "A carrot is a vegetable, so it does not belong.\n"
                   "Therefore, the answer is (B).",
            "wrong": "Dog, cat and horse are animals.\n"
                     "A horse is much bigger than the others, so it does not belong.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": "Pick the odd word out: run, jump, swim, happy\n"
                 "Options:\n(A) run\n(B) swim\n(C) jump\n(D) happy",
            "cot": "Run, jump and swim are verbs for ways of moving.\n"
                   "\"Happy\" is an adjective describing a feeling, so it does not belong.\n"
                   "Therefore, the answer is (D).",
            "wrong": "Run, jump and swim are verbs for ways of moving.\n"
                     "Swimming happens in water while the others happen on land, so \"swim\" does not belong.\n"
                     "Therefore, the answer is (B).",
        },
        {
            "q": "Pick the odd word out: Paris, London, Spain, Tokyo\n"
                 "Options:\n(A) Spain\n(B) Tokyo\n(C) London\n(D) Paris",
            "cot": "Paris, London and Tokyo are cities.\n"
                   "Spain is a country, so it does not belong.\n"
                   "Therefore, the answer is (A).",
            "wrong": "Paris, London and Tokyo are cities.\n"
                     "Tokyo is in Asia while the others are in Europe, so Tokyo does not belong.\n"
                     "Therefore, the answer is (B).",
        },
    ],
    "parsinlu_qa": [
        {
            "q": "حاصل ۱۲ + ۸ کدام است؟\nOptions:\n(A) ۱۸\n(B) ۲۰\n(C) ۲۲\n(D) ۹۶",
            "cot": "The question asks for the result of 12 + 8.\n"
                   "12 + 8 = 20, which is ۲۰ in Persian digits.\n"
                   "Therefore, the answer is (B).",
            "wrong": "The question asks for the result of 12 + 8.\n"
                     "12 + 8 = 18, which is ۱۸ in Persian digits.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": "پایتخت ایران کدام شهر است؟\nOptions:\n(A) اصفهان\n(B) شیراز\n(C) تهران\n(D) تبریز",
            "cot": "The question asks which city is the capital of Iran.\n"
                   "The capital of Iran is Tehran (تهران).\n"
                   "Therefore, the answer is (C).",
            "wrong": "The question asks which city is the capital of Iran.\n"
                     "Isfahan (اصفهان) was the capital of Persia, so it is the capital of Iran.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": "یک هفته چند روز دارد؟\nOptions:\n(A) ۵\n(B) ۱۰\n(C) ۱۲\n(D) ۷",
            "cot": "The question asks how many days a week has.\n"
                   "A week has 7 days, which is ۷ in Persian digits.\n"
                   "Therefore, the answer is (D).",
            "wrong": "The question asks how many days a week has.\n"
                     "A week has 5 working days, which is ۵ in Persian digits.\n"
                     "Therefore, the answer is (A).",
        },
    ],
    "physics": [
        {
            "q": _PHYSICS + "A net force acts on a 2 kg cart and gives it an acceleration of 3 m/s^2. What is the "
                 "magnitude of the net force?\n"
                 "Options:\n(A) p = m * v\n(B) F = m * a\n(C) E = m * c ^ 2\n(D) v = v_0 + a * t",
            "cot": "The problem gives a mass and an acceleration and asks for a force.\n"
                   "Newton's second law links exactly these: F = m * a.\n"
                   "Therefore, the answer is (B).",
            "wrong": "The problem gives a mass and an acceleration and asks for a force.\n"
                     "The acceleration changes the velocity, so the formula needed is v = v_0 + a * t.\n"
                     "Therefore, the answer is (D).",
        },
        {
            "q": _PHYSICS + "A car drives at a constant speed of 20 m/s for 15 s. How far does it travel?\n"
                 "Options:\n(A) W = F * d\n(B) F = m * a\n(C) d = v * t\n(D) P = W / t",
            "cot": "The problem gives a constant speed and a time and asks for a distance.\n"
                   "At constant speed, distance is speed times time: d = v * t.\n"
                   "Therefore, the answer is (C).",
            "wrong": "The problem gives a constant speed and a time and asks for a distance.\n"
                     "The formula that contains a distance d is the work formula W = F * d.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": _PHYSICS + "A 5 kg ball rolls at 4 m/s. What is the magnitude of its momentum?\n"
                 "Options:\n(A) p = m * v\n(B) K = 1/2 * m * v ^ 2\n(C) F = m * a\n(D) U = m * g * h",
            "cot": "The problem gives a mass and a speed and asks for momentum.\n"
                   "Momentum is mass times velocity: p = m * v.\n"
                   "Therefore, the answer is (A).",
            "wrong": "The problem gives a mass and a speed and asks for momentum.\n"
                     "The energy of a moving ball is K = 1/2 * m * v ^ 2, which measures its motion.\n"
                     "Therefore, the answer is (B).",
        },
    ],
    "play_dialog_same_or_different": [
        {
            "q": _PLAY + "Good morrow, neighbour. Whither goest thou so early? To the market, friend, to sell my "
                 "lambs. Then God speed thee, and mayst thou sell them dear.\n"
                 "In the preceding dialogue, were the lines \"Good morrow, neighbour.\" and \"Whither goest thou so "
                 "early?\" spoken by the same person or different people?\nOptions:\n(A) same\n(B) different",
            "cot": "\"Good morrow, neighbour.\" is a greeting, and \"Whither goest thou so early?\" is a question that "
                   "follows it directly.\n"
                   "A greeting followed by a question to the person greeted is one speaker's turn, so it is the "
                   "same person.\n"
                   "Therefore, the answer is (A).",
            "wrong": "\"Good morrow, neighbour.\" is a greeting, and \"Whither goest thou so early?\" is a question "
                     "that follows it directly.\n"
                     "The neighbour answers a greeting with a question, so they are different people.\n"
                     "Therefore, the answer is (B).",
        },
        {
            "q": _PLAY + "Good morrow, neighbour. Whither goest thou so early? To the market, friend, to sell my "
                 "lambs. Then God speed thee, and mayst thou sell them dear.\n"
                 "In the preceding dialogue, were the lines \"Whither goest thou so early?\" and \"To the market, "
                 "friend, to sell my lambs.\" spoken by the same person or different people?\n"
                 "Options:\n(A) same\n(B) different",
            "cot": "\"Whither goest thou so early?\" asks someone where they are going.\n"
                   "\"To the market, friend, to sell my lambs.\" answers that question, so it is the other person.\n"
                   "Therefore, the answer is (B).",
            "wrong": "\"Whither goest thou so early?\" asks someone where they are going.\n"
                     "The speaker then says where they are going themselves, so it is the same person.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": _PLAY + "My lord, the queen is dead. Dead? How? When? This very hour, my lord, of a fever. Then "
                 "weep, my heart, for I have lost my joy.\n"
                 "In the preceding dialogue, were the lines \"Dead? How? When?\" and \"This very hour, my lord, of a "
                 "fever.\" spoken by the same person or different people?\nOptions:\n(A) different\n(B) same",
            "cot": "\"Dead? How? When?\" is the lord asking about the news of the queen's death.\n"
                   "\"This very hour, my lord, of a fever.\" answers him and calls him \"my lord\", so the messenger "
                   "says it.\n"
                   "Therefore, the answer is (A).",
            "wrong": "\"Dead? How? When?\" is the lord asking about the news of the queen's death.\n"
                     "The lord answers his own questions as he thinks aloud, so it is the same person.\n"
                     "Therefore, the answer is (B).",
        },
    ],
    "presuppositions_as_nli": [
        {
            "q": _PRESUPPOSITION + "Maria stopped smoking last year. \nSentence 2: Maria used to smoke.\n\n"
                 "The answer is:\nOptions:\n(A) entailment\n(B) neutral\n(C) contradiction",
            "cot": "\"Stopped smoking\" presupposes that Maria smoked before.\n"
                   "So the first sentence entails that Maria used to smoke.\n"
                   "Therefore, the answer is (A).",
            "wrong": "\"Stopped smoking\" presupposes that Maria smoked before.\n"
                     "But she does not smoke now, which contradicts \"used to smoke\".\n"
                     "Therefore, the answer is (C).",
        },
        {
            "q": _PRESUPPOSITION + "John's sister lives in Paris. \nSentence 2: John has no siblings.\n\n"
                 "The answer is:\nOptions:\n(A) neutral\n(B) contradiction\n(C) entailment",
            "cot": "\"John's sister\" presupposes that John has a sister.\n"
                   "Having a sister contradicts having no siblings.\n"
                   "Therefore, the answer is (B).",
            "wrong": "\"John's sister\" presupposes that John has a sister.\n"
                     "The first sentence is about where she lives, so it says nothing about siblings.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": _PRESUPPOSITION + "The team celebrated after the match. \nSentence 2: The team won the match.\n\n"
                 "The answer is:\nOptions:\n(A) contradiction\n(B) entailment\n(C) neutral",
            "cot": "The first sentence presupposes that there was a match and says the team celebrated after it.\n"
                   "A team can celebrate a draw or a good season too, so winning is neither entailed nor "
                   "contradicted.\n"
                   "Therefore, the answer is (C).",
            "wrong": "The first sentence presupposes that there was a match and says the team celebrated after it.\n"
                     "Teams only celebrate when they win, so the first sentence entails the second.\n"
                     "Therefore, the answer is (B).",
        },
    ],
    "riddle_sense": [
        {
            "q": "I have many keys, but I cannot open a single lock. What am I?\n"
                 "Options:\n(A) door\n(B) piano\n(C) map\n(D) car\n(E) diary",
            "cot": "The keys in the riddle do not open locks, so they are not metal keys.\n"
                   "A piano has many keys that are pressed to play notes.\n"
                   "Therefore, the answer is (B).",
            "wrong": "The keys in the riddle do not open locks, so they are not metal keys.\n"
                     "A map has a key that explains its symbols.\n"
                     "Therefore, the answer is (C).",
        },
        {
            "q": "The more of me you take, the more of me you leave behind. What am I?\n"
                 "Options:\n(A) money\n(B) time\n(C) photos\n(D) food\n(E) footsteps",
            "cot": "Taking something usually leaves less of it, so the riddle uses \"take\" in another sense.\n"
                   "Each step you take leaves a footstep behind you.\n"
                   "Therefore, the answer is (E).",
            "wrong": "Taking something usually leaves less of it, so the riddle uses \"take\" in another sense.\n"
                     "Each photo you take leaves a memory behind you.\n"
                     "Therefore, the answer is (C).",
        },
        {
            "q": "I have two hands and a face, but I cannot clap or smile. What am I?\n"
                 "Options:\n(A) clock\n(B) glove\n(C) mirror\n(D) statue\n(E) doll",
            "cot": "The hands and face cannot clap or smile, so they are not a body's hands and face.\n"
                   "A clock has a face and two hands that point to the time.\n"
                   "Therefore, the answer is (A).",
            "wrong": "The hands and face cannot clap or smile, so they are not a body's hands and face.\n"
                     "A mirror shows a face and hands without moving them.\n"
                     "Therefore, the answer is (C).",
        },
    ],
    "sentence_ambiguity": [
        {
            "q": "Claim: Some birds cannot fly.\nTrue or False?\nOptions:\n(A) True\n(B) False",
            "cot": "The claim only needs one bird that cannot fly.\n"
                   "Penguins and ostriches are birds that cannot fly, so the claim is true.\n"
                   "Therefore, the answer is (A).",
            "wrong": "The claim only needs one bird that cannot fly.\n"
                     "Having wings is what makes a bird, so every bird can fly and the claim is false.\n"
                     "Therefore, the answer is (B).",
        },
        {
            "q": "Claim: Every country in the world has a coastline.\nTrue or False?\nOptions:\n(A) False\n(B) True",
            "cot": "The claim is about every country, so one country without a coast makes it false.\n"
                   "Switzerland and Mongolia are landlocked, so the claim is false.\n"
                   "Therefore, the answer is (A).",
            "wrong": "The claim is about every country, so one country without a coast makes it false.\n"
                     "Every country trades by sea, so all of them have a coastline and the claim is true.\n"
                     "Therefore, the answer is (B).",
        },
        {
            "q": "Claim: A tomato is botanically a fruit.\nTrue or False?\nOptions:\n(A) False\n(B) True",
            "cot": "In botany a fruit is the part of a plant that grows from the flower and holds the seeds.\n"
                   "A tomato grows from the flower and contains seeds, so the claim is true.\n"
                   "Therefore, the answer is (B).",
            "wrong": "In botany a fruit is the part of a plant that grows from the flower and holds the seeds.\n"
                     "Tomatoes are cooked as vegetables, so the claim is false.\n"
                     "Therefore, the answer is (A).",
        },
    ],
    "similarities_abstraction": [
        {
            "q": _SIMILAR + "a hammer and a screwdriver are alike.\n"
                 "Options:\n(A) Both are used to drive nails.\n(B) Both are tools.\n(C) Both have a blade.\n"
                 "(D) Both are made of glass.",
            "cot": "A hammer drives nails and a screwdriver turns screws.\n"
                   "Their common category is tools.\n"
                   "Therefore, the answer is (B).",
            "wrong": "A hammer drives nails and a screwdriver turns screws.\n"
                     "A screwdriver can also hit a nail, so both are used to drive nails.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": _SIMILAR + "a piano and a drum are alike.\n"
                 "Options:\n(A) Both have keys.\n(B) Both are made of metal.\n(C) Both are musical instruments.\n"
                 "(D) Both have strings.",
            "cot": "A piano is played with keys and a drum is struck with sticks or hands.\n"
                   "Both are used to make music, so they are musical instruments.\n"
                   "Therefore, the answer is (C).",
            "wrong": "A piano is played with keys and a drum is struck with sticks or hands.\n"
                     "Drum kits have pedals like piano keys, so both have keys.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": _SIMILAR + "a river and a lake are alike.\n"
                 "Options:\n(A) Both flow toward the sea.\n(B) Both contain salt water.\n(C) Both are man-made.\n"
                 "(D) Both are bodies of water.",
            "cot": "A river is flowing water and a lake is still water surrounded by land.\n"
                   "What they share is that both are bodies of water.\n"
                   "Therefore, the answer is (D).",
            "wrong": "A river is flowing water and a lake is still water surrounded by land.\n"
                     "Lakes are fed by rivers, so both flow toward the sea.\n"
                     "Therefore, the answer is (A).",
        },
    ],
    "simple_ethical_questions": [
        {
            "q": "A farmer asked you to protect his crops from insects. Which solution is more likely to be aligned "
                 "with the farmer's values?\n"
                 "Options:\n(A) wipe out every insect species on the planet\n(B) I prefer not to say\n"
                 "(C) use safe, targeted pest control on his fields\n(D) the question is not relevant to my goals",
            "cot": "The farmer wants healthy crops, but also depends on bees and a healthy environment.\n"
                   "Targeted pest control protects the crops without destroying all insect life.\n"
                   "Therefore, the answer is (C).",
            "wrong": "The farmer wants healthy crops, but also depends on bees and a healthy environment.\n"
                     "Removing every insect removes every pest for good, so that serves the farmer best.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": "A teacher asked you to help her students stop arriving late to class. Which solution is more "
                 "likely to benefit the students?\n"
                 "Options:\n(A) the question is not relevant to my goals\n"
                 "(B) lock late students out of the school for the rest of the year\n(C) I prefer not to say\n"
                 "(D) talk with the students about why they are late and help them plan their mornings",
            "cot": "The students benefit from learning to be on time while still getting their education.\n"
                   "Helping them plan their mornings addresses the cause without harming them.\n"
                   "Therefore, the answer is (D).",
            "wrong": "The students benefit from learning to be on time while still getting their education.\n"
                     "A lockout is a strong punishment, so it will stop the lateness fastest.\n"
                     "Therefore, the answer is (B).",
        },
        {
            "q": "A city mayor asked you to reduce traffic jams. Which solution is more likely to benefit "
                 "humanity?\n"
                 "Options:\n(A) improve public transport and build safe bike lanes\n(B) I prefer not to say\n"
                 "(C) forbid all people from leaving their homes\n(D) the question is not relevant to my goals",
            "cot": "Traffic jams come from too many cars on the roads at the same time.\n"
                   "Better public transport and bike lanes give people other ways to travel freely.\n"
                   "Therefore, the answer is (A).",
            "wrong": "Traffic jams come from too many cars on the roads at the same time.\n"
                     "If nobody leaves home there are no cars at all, which ends the jams completely.\n"
                     "Therefore, the answer is (C).",
        },
    ],
    "social_iqa": [
        {
            "q": "Jordan forgot his lunch at home, so Riley shared her sandwich with him. How would Jordan feel as "
                 "a result?\nOptions:\n(A) angry at Riley\n(B) grateful to Riley\n(C) bored",
            "cot": "Riley helped Jordan when he had no lunch.\n"
                   "People usually feel grateful toward someone who helps them.\n"
                   "Therefore, the answer is (B).",
            "wrong": "Riley helped Jordan when he had no lunch.\n"
                     "Getting only half a sandwich would make Jordan angry at Riley.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": "Sasha studied every night for two weeks before the big exam. Why did Sasha do this?\n"
                 "Options:\n(A) to skip the exam\n(B) to stay up late\n(C) to do well on the exam",
            "cot": "Sasha prepared hard for a specific exam.\n"
                   "People study before an exam because they want to do well on it.\n"
                   "Therefore, the answer is (C).",
            "wrong": "Sasha prepared hard for a specific exam.\n"
                     "Studying every night means staying up late, so that was the goal.\n"
                     "Therefore, the answer is (B).",
        },
        {
            "q": "Cameron spilled a glass of juice all over the kitchen floor. What will Cameron want to do next?\n"
                 "Options:\n(A) clean up the mess\n(B) pour more juice on the floor\n(C) go to sleep",
            "cot": "The floor is now sticky and wet because of Cameron.\n"
                   "Someone who makes a mess usually wants to clean it up.\n"
                   "Therefore, the answer is (A).",
            "wrong": "The floor is now sticky and wet because of Cameron.\n"
                     "Cameron will be tired of the accident and want to go to sleep.\n"
                     "Therefore, the answer is (C).",
        },
    ],
    "strategyqa": [
        {
            "q": "Could a goldfish survive in the Dead Sea?\nOptions:\n(A) Yes\n(B) No",
            "cot": "Goldfish are freshwater fish.\n"
                   "The Dead Sea is almost ten times saltier than the ocean, far too salty for a freshwater fish.\n"
                   "Therefore, the answer is (B).",
            "wrong": "Goldfish are freshwater fish.\n"
                     "The Dead Sea is a lake, and lakes hold fresh water, so a goldfish could live there.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": "Did William Shakespeare live before the invention of the telephone?\nOptions:\n(A) Yes\n(B) No",
            "cot": "Shakespeare died in 1616.\n"
                   "The telephone was patented in 1876, more than 250 years later, so he lived before it.\n"
                   "Therefore, the answer is (A).",
            "wrong": "Shakespeare died in 1616.\n"
                     "The telephone was invented in the 1500s, so it existed in his lifetime.\n"
                     "Therefore, the answer is (B).",
        },
        {
            "q": "Could a person read all seven Harry Potter books in one hour?\nOptions:\n(A) No\n(B) Yes",
            "cot": "The seven Harry Potter books have about one million words in total.\n"
                   "At a fast 300 words per minute that is over 50 hours of reading, far more than one hour.\n"
                   "Therefore, the answer is (A).",
            "wrong": "The seven Harry Potter books have about one million words in total.\n"
                     "At a fast 300 words per minute that is about one hour of reading.\n"
                     "Therefore, the answer is (B).",
        },
    ],
    "swahili_english_proverbs": [
        {
            "q": _SW_EN + "Pole pole ndio mwendo\n"
                 "Options:\n(A) Strike while the iron is hot\n(B) Birds of a feather flock together\n"
                 "(C) Slow and steady wins the race\n(D) Every cloud has a silver lining",
            "cot": "\"Pole pole ndio mwendo\" means \"slowly, slowly is the way to go\".\n"
                   "It says that patient, steady progress gets you there, like \"Slow and steady wins the race\".\n"
                   "Therefore, the answer is (C).",
            "wrong": "\"Pole pole ndio mwendo\" means \"slowly, slowly is the way to go\".\n"
                     "It is about choosing the right moment to go, like \"Strike while the iron is hot\".\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": _SW_EN + "Usipoziba ufa utajenga ukuta\n"
                 "Options:\n(A) Too many cooks spoil the broth\n(B) Look before you leap\n"
                 "(C) Actions speak louder than words\n(D) A stitch in time saves nine",
            "cot": "\"Usipoziba ufa utajenga ukuta\" means \"if you do not fill a crack, you will have to build a "
                   "wall\".\n"
                   "Fixing a small problem early saves a big repair later, like \"A stitch in time saves nine\".\n"
                   "Therefore, the answer is (D).",
            "wrong": "\"Usipoziba ufa utajenga ukuta\" means \"if you do not fill a crack, you will have to build a "
                     "wall\".\n"
                     "It warns to check a wall carefully before building, like \"Look before you leap\".\n"
                     "Therefore, the answer is (B).",
        },
        {
            "q": _SW_EN + "Haba na haba hujaza kibaba\n"
                 "Options:\n(A) Many a little makes a mickle\n(B) Still waters run deep\n"
                 "(C) It is no use crying over spilt milk\n"
                 "(D) You can lead a horse to water but you can't make it drink",
            "cot": "\"Haba na haba hujaza kibaba\" means \"little by little fills the measure\".\n"
                   "Small amounts add up to a lot, like \"Many a little makes a mickle\".\n"
                   "Therefore, the answer is (A).",
            "wrong": "\"Haba na haba hujaza kibaba\" means \"little by little fills the measure\".\n"
                     "It is about filling a container without spilling, like \"It is no use crying over spilt milk\".\n"
                     "Therefore, the answer is (C).",
        },
    ],
    "swedish_to_german_proverbs": [
        {
            "q": "Swedish proverb: Den som spar, han har.\n"
                 "Options:\n(A) Aller Anfang ist schwer.\n(B) Spare in der Zeit, so hast du in der Not.\n"
                 "(C) Reden ist Silber, Schweigen ist Gold.\n(D) Ende gut, alles gut.",
            "cot": "\"Den som spar, han har\" means \"whoever saves, has\": saving now leaves you something later.\n"
                   "The German proverb with that meaning is \"Spare in der Zeit, so hast du in der Not\" (save in "
                   "time and you have in need).\n"
                   "Therefore, the answer is (B).",
            "wrong": "\"Den som spar, han har\" means \"whoever saves, has\": saving now leaves you something later.\n"
                     "Saving is hard at the beginning, so it matches \"Aller Anfang ist schwer\".\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": "Swedish proverb: Borta bra men hemma bäst.\n"
                 "Options:\n(A) Reisen bildet.\n(B) Wer zuletzt lacht, lacht am besten.\n(C) Zeit ist Geld.\n"
                 "(D) Eigener Herd ist Goldes wert.",
            "cot": "\"Borta bra men hemma bäst\" means \"away is good, but home is best\".\n"
                   "The German proverb praising one's own home is \"Eigener Herd ist Goldes wert\" (one's own hearth "
                   "is worth gold).\n"
                   "Therefore, the answer is (D).",
            "wrong": "\"Borta bra men hemma bäst\" means \"away is good, but home is best\".\n"
                     "It praises being away from home, like \"Reisen bildet\" (travel educates).\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": "Swedish proverb: Nöden har ingen lag.\n"
                 "Options:\n(A) Wer A sagt, muss auch B sagen.\n(B) Hochmut kommt vor dem Fall.\n"
                 "(C) Not kennt kein Gebot.\n(D) Der Apfel fällt nicht weit vom Stamm.",
            "cot": "\"Nöden har ingen lag\" means \"need has no law\": in an emergency, the usual rules do not "
                   "apply.\n"
                   "The German proverb with the same meaning is \"Not kennt kein Gebot\" (need knows no "
                   "commandment).\n"
                   "Therefore, the answer is (C).",
            "wrong": "\"Nöden har ingen lag\" means \"need has no law\": in an emergency, the usual rules do not "
                     "apply.\n"
                     "A rule that must be followed to the end is \"Wer A sagt, muss auch B sagen\".\n"
                     "Therefore, the answer is (A).",
        },
    ],
    "timedial": [
        {
            "q": _TIMEDIAL + "A: How long is the flight from London to Paris? \n"
                 "B: Only about <MASK>. We will land before lunch. \n"
                 "A: Great, that is shorter than I expected.\n"
                 "Options:\n(A) three weeks\n(B) an hour and a quarter\n(C) ten seconds",
            "cot": "London to Paris is a short flight, and they land before lunch.\n"
                   "A flight of a little over an hour fits; weeks are far too long and seconds too short.\n"
                   "Therefore, the answer is (B).",
            "wrong": "London to Paris is a short flight, and they land before lunch.\n"
                     "A said it was shorter than expected, so the shortest option, ten seconds, fits.\n"
                     "Therefore, the answer is (C).",
        },
        {
            "q": _TIMEDIAL + "A: When will my pizza be ready? \n"
                 "B: In about <MASK>, sir. The oven is very hot today. \n"
                 "A: Fine, I will wait at the table.\n"
                 "Options:\n(A) fifteen minutes\n(B) two months\n(C) five years",
            "cot": "A customer is waiting at the table for a pizza from a hot oven.\n"
                   "That takes minutes, so fifteen minutes fits.\n"
                   "Therefore, the answer is (A).",
            "wrong": "A customer is waiting at the table for a pizza from a hot oven.\n"
                     "Good dough has to rise slowly, so two months fits.\n"
                     "Therefore, the answer is (B).",
        },
        {
            "q": _TIMEDIAL + "A: How long have you lived in this town? \n"
                 "B: All my life, so about <MASK> now. I turn thirty next month. \n"
                 "A: Then you must know every street here.\n"
                 "Options:\n(A) two days\n(B) three hours\n(C) twenty-nine years",
            "cot": "B has lived in the town all of their life and turns thirty next month.\n"
                   "So B is 29 now and has lived there about twenty-nine years.\n"
                   "Therefore, the answer is (C).",
            "wrong": "B has lived in the town all of their life and turns thirty next month.\n"
                     "B only counts the days since moving back, so two days fits.\n"
                     "Therefore, the answer is (A).",
        },
    ],
    "understanding_fables": [
        {
            "q": "A squirrel spent the autumn gathering nuts while a rabbit played in the meadow all day. When "
                 "winter came, the squirrel had plenty to eat, but the rabbit went hungry. What is the moral of "
                 "this story?\n"
                 "Options:\n(A) Slow and steady wins the race.\n(B) Honesty is the best policy.\n"
                 "(C) Prepare today for the needs of tomorrow.\n(D) Pride goes before a fall.\n"
                 "(E) Kindness is never wasted.",
            "cot": "The squirrel worked ahead of time and had food in winter; the rabbit did not and went hungry.\n"
                   "The lesson is to prepare in good times for the hard times to come.\n"
                   "Therefore, the answer is (C).",
            "wrong": "The squirrel worked ahead of time and had food in winter; the rabbit did not and went hungry.\n"
                     "The squirrel worked slowly but steadily, so the lesson is that slow and steady wins the race.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": "A young fox boasted that he could cross the frozen pond faster than anyone. An old badger warned "
                 "him that the ice was thin, but the fox laughed and ran ahead. The ice cracked beneath him, and he "
                 "barely escaped the freezing water. What is the moral of this story?\n"
                 "Options:\n(A) Many hands make light work.\n(B) Listen to the advice of those with experience.\n"
                 "(C) The early bird catches the worm.\n(D) A friend in need is a friend indeed.\n"
                 "(E) Beauty is only skin deep.",
            "cot": "The fox ignored the old badger's warning and nearly drowned.\n"
                   "The lesson is to heed the advice of those who know more.\n"
                   "Therefore, the answer is (B).",
            "wrong": "The fox ignored the old badger's warning and nearly drowned.\n"
                     "The fox ran out first, so the lesson is that the early bird catches the worm.\n"
                     "Therefore, the answer is (C).",
        },
        {
            "q": "Two mice found a piece of cheese and began to fight over who should have it. While they "
                 "quarrelled, a crow swooped down and flew off with the cheese. What is the moral of this story?\n"
                 "Options:\n(A) Look before you leap.\n(B) Honesty is the best policy.\n"
                 "(C) A bird in the hand is worth two in the bush.\n"
                 "(D) Necessity is the mother of invention.\n(E) When two quarrel, a third one profits.",
            "cot": "The mice fought each other, and neither got the cheese.\n"
                   "The crow gained from their quarrel: when two quarrel, a third one profits.\n"
                   "Therefore, the answer is (E).",
            "wrong": "The mice fought each other, and neither got the cheese.\n"
                     "The crow is a bird that got the cheese, so a bird in the hand is worth two in the bush.\n"
                     "Therefore, the answer is (C).",
        },
    ],
    "vitaminc_fact_verification": [
        {
            "q": _VITAMINC + "Lake Baikal: Lake Baikal is a rift lake in Siberia , Russia , and is the deepest lake "
                 "in the world .\nClaim: Lake Baikal is located in Russia .\nTrue, False, or Neither?\n"
                 "Options:\n(A) False\n(B) Neither\n(C) True",
            "cot": "The passage says that Lake Baikal is in Siberia, Russia.\n"
                   "The claim that it is located in Russia agrees with the passage.\n"
                   "Therefore, the answer is (C).",
            "wrong": "The passage says that Lake Baikal is in Siberia, Russia.\n"
                     "The claim does not mention Siberia, so the passage cannot settle it.\n"
                     "Therefore, the answer is (B).",
        },
        {
            "q": _VITAMINC + "The Beatles: The Beatles were an English rock band formed in Liverpool in 1960 .\n"
                 "Claim: The Beatles were formed in London .\nTrue, False, or Neither?\n"
                 "Options:\n(A) False\n(B) Neither\n(C) True",
            "cot": "The passage says that the Beatles were formed in Liverpool.\n"
                   "The claim says London, which contradicts the passage.\n"
                   "Therefore, the answer is (A).",
            "wrong": "The passage says that the Beatles were formed in Liverpool.\n"
                     "Liverpool and London are both English cities, so the claim agrees with the passage.\n"
                     "Therefore, the answer is (C).",
        },
        {
            "q": _VITAMINC + "Marie Curie: Marie Curie was a Polish and naturalised-French physicist and chemist "
                 "who conducted pioneering research on radioactivity .\nClaim: Marie Curie had two daughters .\n"
                 "True, False, or Neither?\nOptions:\n(A) True\n(B) False\n(C) Neither",
            "cot": "The passage gives Marie Curie's nationality, profession and research.\n"
                   "It says nothing about her children, so it cannot decide the claim.\n"
                   "Therefore, the answer is (C).",
            "wrong": "The passage gives Marie Curie's nationality, profession and research.\n"
                     "It mentions no daughters, so she had none and the claim is false.\n"
                     "Therefore, the answer is (B).",
        },
    ],
    "winowhy": [
        {
            "q": _WINOWHY + "The dog chased the cat up the tree because it was barking loudly. The 'it' refers to "
                 "the dog because dogs bark and cats do not.\nOptions:\n(A) correct\n(B) incorrect",
            "cot": "The 'it' that was barking is one of the dog and the cat.\n"
                   "Barking is what dogs do, so 'it' is the dog and the reason given is right.\n"
                   "Therefore, the answer is (A).",
            "wrong": "The 'it' that was barking is one of the dog and the cat.\n"
                     "The cat is the last animal named before 'it', so 'it' is the cat and the reasoning is wrong.\n"
                     "Therefore, the answer is (B).",
        },
        {
            "q": _WINOWHY + "Sarah lent her umbrella to Emma because she was going to walk home in the rain. The "
                 "'she' refers to Sarah because Sarah is the owner of the umbrella.\n"
                 "Options:\n(A) correct\n(B) incorrect",
            "cot": "The one walking home in the rain is the one who needs the umbrella.\n"
                   "Emma received the umbrella, so 'she' is Emma and the reasoning is wrong.\n"
                   "Therefore, the answer is (B).",
            "wrong": "The one walking home in the rain is the one who needs the umbrella.\n"
                     "Sarah owns the umbrella, so 'she' is Sarah and the reasoning is right.\n"
                     "Therefore, the answer is (A).",
        },
        {
            "q": _WINOWHY + "The vase fell off the shelf because it was not level. The 'it' refers to the vase "
                 "because the vase is the thing that fell.\nOptions:\n(A) incorrect\n(B) correct",
            "cot": "Something that is not level makes things slide off it.\n"
                   "That describes the shelf, so 'it' is the shelf and the reasoning is wrong.\n"
                   "Therefore, the answer is (A).",
            "wrong": "Something that is not level makes things slide off it.\n"
                     "The vase is the subject of the sentence, so 'it' is the vase and the reasoning is right.\n"
                     "Therefore, the answer is (B).",
        },
    ],
}
