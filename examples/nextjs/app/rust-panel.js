"use client";
import { useEffect, useState } from "react";

// What the Rust service says about this browser's session: the same cookie, sent to /rust/me on
// this origin (next.config.mjs forwards /rust/* to the service).
export default function RustPanel() {
  const [answer, setAnswer] = useState("asking…");
  useEffect(() => {
    fetch("/rust/me", { cache: "no-store" })
      .then(async (response) => {
        if (response.status === 401) return setAnswer("signed out");
        if (!response.ok) return setAnswer(`error ${response.status}`);
        setAnswer((await response.json()).username);
      })
      .catch((err) => setAnswer(`unreachable (${err.message})`));
  }, []);
  return (
    <p>
      The Rust service sees: <strong id="rust-user">{answer}</strong>
    </p>
  );
}
