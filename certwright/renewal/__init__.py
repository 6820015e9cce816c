"""The renewal app: a yearly subscription to monthly renewal questions, answered on a
phone, whose correct answers in time are renewal credits (facts the rules core turns
into extensions)."""
