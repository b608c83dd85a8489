"""Pure functions from results to text, named by subject: the plan for a terminal
(`plan_text`, also the apply report) and for a pull request (`plan_markdown`), validation
problems in four formats (`problems`), conversations (`conversations`), analytics per bot
(`analytics`) and per version (`outcomes`), and the shared pieces: aligned tables (`table`,
display widths) and HTML (`html`: escaping, SVG, the page).

Nothing here reads a file or the network, or prints. Imports `analytics` (its report types),
`support`, `model`, `errors`.
"""
