"""The Slack adapter (slack-bolt): `/late`, the "Post to social" shortcut, modals and approval buttons.

`app.py` builds the Bolt app and its listeners, `translate.py` turns payloads into the neutral
types, `blocks.py` and `forms.py` render cards, replies and forms into Block Kit, `port.py` and
`responder.py` talk to the Web API, `server.py` is HTTP mode and `socket.py` Socket Mode.
"""
