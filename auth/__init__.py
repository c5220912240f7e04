"""Sign-in and roles: who a request is (`auth.request.current_identity`) and the gate every
state-changing route and control passes (`auth.request.require`)."""
