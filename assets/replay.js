/* The main screen's time-travel scrubber (pages/mission/layout.py): the range input holds minutes
   since the epoch; the field next to it, submitted as ?at=, shows that minute in UTC. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
    mcReplay: {
        minuteText: function (value) {
            // A range input gives its value as a number or as its text.
            var minute = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
            if (typeof minute !== "number" || !isFinite(minute)) {
                return window.dash_clientside.no_update;
            }
            // 2026-11-29T03:12Z
            return new Date(minute * 60000).toISOString().slice(0, 16) + "Z";
        }
    }
});
