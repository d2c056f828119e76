"""The Slack adapter (slack-bolt): `/late`, the "Post to social" shortcut, modals and approval buttons.

`app.py` builds the Bolt app and its listeners (HTTP mode mounts `POST /slack/events` on the process's
`adapters.http.HttpServer`; `socket.py` is Socket Mode), `handlers.py` is the work after each ack with
what it needs handed over in `context.py`, `translate.py` turns payloads into the neutral types,
`blocks.py` and `forms.py` render cards, replies and forms into Block Kit, `port.py` and
`responder.py` talk to the Web API, `people.py` looks users up, and `media.py` moves shared files
to Late's media through the driving port.
"""
