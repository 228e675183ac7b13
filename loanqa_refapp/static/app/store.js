// The journey's progress lives in sessionStorage, so a reload (or a WebView restored by the OS)
// resumes at the same loan instead of starting a second application.

const KEY = "loanqa.journey";

function read() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY) || "{}");
  } catch {
    return {};
  }
}

export const journey = {
  get: (name) => read()[name],
  set(values) {
    sessionStorage.setItem(KEY, JSON.stringify({ ...read(), ...values }));
  },
  clear: () => sessionStorage.removeItem(KEY),
};
