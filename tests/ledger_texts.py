"""Invented news texts for the ledger corpus tests: a story, its re-posts, and other stories on the
same topic (which must stay apart), plus articles naming the same and different people."""

FERRY = """Council approves ferry expansion after marathon session

PORTHAVEN — The Porthaven city council voted 7-2 late on Tuesday to expand the harbour ferry service, \
adding two routes to the northern districts and extending evening sailings until midnight.

The plan, which will cost an estimated 48 million dollars over five years, had divided residents for \
months. Supporters packed the public gallery, many wearing blue scarves, while opponents warned that \
the new terminal would bring traffic to quiet residential streets near the old fish market.

"This is the biggest change to how people move around this city in a generation," said Mayor Helen \
Okafor, who championed the proposal. "Nobody in the northern districts should have to spend two \
hours getting to work."

Councillor Daniel Reyes, who voted against the plan, said the budget figures were optimistic. "We are \
being asked to sign a blank cheque for boats we have not even ordered yet," he said during the debate.

The first new route, linking the central pier with Gullwing Point, is expected to open next spring. \
The city transport office said it would publish a timetable in the coming weeks and hold three \
consultation evenings in the affected neighbourhoods.

Ferry ridership has grown by almost a third since the pandemic, according to figures released by \
the harbour authority in January, with the busiest crossings now running above capacity at peak \
hours. Commuter groups have long argued that the existing fleet of four vessels cannot keep up.

The council also agreed to review fares for students and pensioners before the new routes open.
"""

# The same story re-posted by an aggregator: new headline and intro, boilerplate around it, a few
# words changed, the last paragraph dropped.
FERRY_REPOST = """Porthaven to get two new ferry routes

Share this article on Facebook Twitter WhatsApp
Subscribe to our daily newsletter for the latest local headlines

Residents of Porthaven's northern districts will soon have a faster way into the city centre.

PORTHAVEN — The Porthaven city council voted 7-2 late on Tuesday to expand the harbour ferry service, \
adding two routes to the northern districts and extending evening sailings until midnight.

The plan, which will cost an estimated 48 million dollars over five years, had divided residents for \
months. Supporters filled the public gallery, many wearing blue scarves, while opponents warned that \
the new terminal would bring traffic to quiet residential streets near the old fish market.

"This is the biggest change to how people move around this city in a generation," said Mayor Helen \
Okafor, who championed the proposal. "Nobody in the northern districts should have to spend two \
hours getting to work."

Councillor Daniel Reyes, who voted against the plan, said the budget figures were too optimistic. \
"We are being asked to sign a blank cheque for boats we have not even ordered yet," he said during \
the debate.

The first new route, linking the central pier with Gullwing Point, is expected to open next spring. \
The city transport office said it would publish a timetable in the coming weeks and hold three \
consultation evenings in the affected neighbourhoods.

Ferry ridership has grown by almost a third since the pandemic, according to figures released by \
the harbour authority in January, with the busiest crossings now running above capacity at peak \
hours.

Related: Harbour authority names new chief executive
Copyright 2024 Coastal News Network. All rights reserved.
"""

# A different story on the same topic, same city, same people: must not join the ferry story.
FERRY_LAWSUIT = """Residents sue to halt Porthaven ferry terminal

PORTHAVEN — A group of residents from the old fish market neighbourhood has filed a lawsuit to stop \
construction of the new ferry terminal approved by the city council last month.

The Fish Market Residents Association argues that the council skipped a required environmental \
review and did not properly consult people living near the site. Its lawyer, Priya Natarajan, said \
the group supported better transport but not at any price.

"Our members are not against ferries. They are against a decision taken without looking at the \
noise, the traffic and the damage to the harbour wall," Natarajan said outside the district court.

Mayor Helen Okafor said the city was confident the approval process had followed the law. "We \
held more public meetings on this project than on any other in recent memory," she said in a \
statement on Friday.

The harbour ferry expansion, which adds two routes to the northern districts, is due to open next \
spring. A hearing on the residents' request for an injunction has been set for early March.

Councillor Daniel Reyes, one of two members who voted against the plan, said the lawsuit showed the \
council had moved too fast. Legal experts said such challenges rarely succeed but can delay building \
work by several months. A spokesman did not respond to a request for comment.
"""

# A third story on the topic: fares, with overlapping vocabulary and names.
FERRY_FARES = """Porthaven ferry fares to rise in April

PORTHAVEN — Single tickets on the Porthaven harbour ferry will rise by 40 cents in April, the harbour \
authority said on Monday, the first increase in three years.

The authority blamed higher fuel and maintenance costs and said the money would help pay for the two \
new routes to the northern districts approved by the city council. Monthly passes will stay at their \
current price, and students and pensioners will keep their discount.

"We know nobody likes paying more, but the fleet is old and the crossings are full," said the \
authority's finance director, Tomas Lindqvist. Commuter groups said the rise was modest but asked for \
more frequent sailings at peak hours.

Mayor Helen Okafor said the council would look closely at fares once the new routes open next spring. \
A spokesman did not respond to a request for comment.
"""

PUTIN_1 = """Putin warns of response to new sanctions

MOSCOW — Russian President Vladimir Putin said on Tuesday that fresh Western sanctions would hurt \
Europe more than Russia. "Those who impose these measures will be the first to regret them," Putin \
told a meeting of officials at the Kremlin. The remarks came a day after the European Union agreed \
a new package of restrictions on energy exports.
"""

PUTIN_2 = """Kremlin dismisses sanctions package

Vladimir Putin said the new restrictions on energy exports would fail. "Those who impose these \
measures will be the first to regret them," Vladimir Putin said in a televised address on Wednesday, \
adding that Russia had found new buyers for its oil in Asia. Analysts in Berlin said the claim was \
hard to verify.
"""

# The same quote again, with curly quote marks and its last word trimmed.
PUTIN_4 = """Putin repeats sanctions warning

Vladimir Putin repeated his warning on Friday. “Those who impose these measures will be the first \
to regret,” Putin told reporters in Sochi.
"""

PUTIN_3 = """Energy ministers meet in Brussels

Energy ministers from the European Union met in Brussels on Thursday to discuss gas storage for the \
winter. Putin has repeatedly said Western sanctions will backfire. Several ministers said they \
expected prices to stay high until the spring, and called for more joint purchases of liquefied gas.
"""

SMITH_1 = """Harbour authority names new chief

The Porthaven harbour authority has appointed John Smith as its chief executive. John Smith, who \
previously ran the port of Eastwick, said he would focus on safety. "The harbour has to work for \
everyone who depends on it," Smith said on Monday. Mayor Helen Okafor welcomed the appointment.
"""

# A bare "Smith" next to the mayor, who has appeared with John Smith before: context points to him.
SMITH_3 = """Harbour safety review ordered

Smith announced a full safety review of the harbour on Wednesday after two ferries collided in \
fog. Mayor Helen Okafor said the review should be finished before the summer season.
"""

# A bare "Smith" with nothing around it that tells the two Smiths apart.
SMITH_4 = """Weekend weather brings crowds

Thousands of visitors came to the beaches on Saturday. Smith said the warm spell would not last \
and that rain was expected by Tuesday.
"""

SMITH_2 = """School board backs longer holidays

The Porthaven school board voted on Thursday to lengthen the summer holidays by a week. Its chair, \
Mary Smith, said teachers had asked for the change. "Our staff are exhausted by June," Mary Smith \
told parents at a packed meeting, adding that the board would consult families before autumn.
"""
