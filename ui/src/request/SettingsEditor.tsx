import { NUMBER_RULES, numberProblem, type NumberField, type SettingsForm } from "./settings";

export function SettingsEditor(props: {
  tabId: number;
  settings: SettingsForm;
  onChange: (settings: SettingsForm) => void;
  disabled: boolean;
}) {
  const { tabId, settings, onChange, disabled } = props;
  const set = (change: Partial<SettingsForm>) => onChange({ ...settings, ...change });

  const number = (field: NumberField, help: string, extra?: { step?: string; off?: boolean }) => {
    const id = `t${tabId}-${field}`;
    const problem = extra?.off ? "" : numberProblem(field, settings[field]);
    const rule = NUMBER_RULES[field];
    return (
      <div class="setting">
        <label for={id}>{rule.label}</label>
        <input
          id={id}
          type="number"
          inputMode={rule.integer ? "numeric" : "decimal"}
          min={rule.min}
          max={rule.max}
          step={extra?.step ?? "1"}
          value={settings[field]}
          disabled={disabled || extra?.off}
          aria-invalid={problem ? "true" : undefined}
          aria-describedby={`${id}-help${problem ? ` ${id}-error` : ""}`}
          onInput={(e) => set({ [field]: e.currentTarget.value } as Partial<SettingsForm>)}
        />
        <p class="help" id={`${id}-help`}>
          {help}
        </p>
        {problem ? (
          <p class="field-error" id={`${id}-error`}>
            {problem}
          </p>
        ) : null}
      </div>
    );
  };

  const check = (
    field: "followRedirects" | "verifyTls" | "autoPong",
    label: string,
    help: string,
  ) => {
    const id = `t${tabId}-${field}`;
    return (
      <div class="setting setting-check">
        <input
          id={id}
          type="checkbox"
          checked={settings[field]}
          disabled={disabled}
          aria-describedby={`${id}-help`}
          onChange={(e) => set({ [field]: e.currentTarget.checked } as Partial<SettingsForm>)}
        />
        <label for={id}>{label}</label>
        <p class="help" id={`${id}-help`}>
          {help}
        </p>
      </div>
    );
  };

  return (
    <div class="settings">
      {number(
        "reconnectAttempts",
        "How many times to reconnect after the connection drops (0: never).",
      )}
      {number("reconnectIntervalMs", "Wait between reconnection attempts, in milliseconds.")}
      {check("followRedirects", "Follow redirects", "Follow 3xx answers to the handshake.")}
      {number("maxRedirects", "How many redirects to follow at most.", {
        off: !settings.followRedirects,
      })}
      {number("handshakeTimeoutMs", "Give up when the handshake takes longer than this; 0 = none.")}
      {number(
        "maxMessageSizeMb",
        "Larger incoming messages close the connection (1009); 0 = no limit. 1 MiB is 1,048,576 bytes.",
        { step: "any" },
      )}
      {number(
        "closeTimeoutMs",
        "When you disconnect, wait this long for the server's close frame, then drop the connection.",
      )}
      {check(
        "verifyTls",
        "Verify TLS certificates",
        "Check the server's certificate for wss:// URLs.",
      )}
      {!settings.verifyTls ? (
        <p class="warning" role="note">
          Certificate checks are off: anyone between you and the server could read and change the
          traffic. Use this only with test servers you trust.
        </p>
      ) : null}
      {check("autoPong", "Answer pings automatically", "Reply to every ping with a pong.")}
    </div>
  );
}
