"""Pull-request comments on GitHub and GitLab: one sticky comment per plan target (DESIGN §10).

    base.py     `Forge`, what every forge is to botops (comments read, created, edited), and
                `Comment`
    sticky.py   the comment's body (marker, Markdown plan, footer) and the find-then-edit rule,
                over any `Forge`
    http.py     the one httpx2 client both forges share: traces without headers, one-line errors
    github.py   issue comments of a pull request (Link: rel="next" pages), the event file
    gitlab.py   notes of a merge request (X-Next-Page pages)

The use case that picks the forge CI runs in is `botops.usecases.comment`. Imports `render`
(the Markdown plan), `model`, `errors`; never `usecases` or `cli`.
"""
