// The weekly update: "Keep mine" after a save conflict adopts the other person's version
// number and saves again, deliberately overwriting their draft with what this user typed.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-keep-version]");
  if (!button) return;
  const form = document.getElementById("report-form");
  form.querySelector("input[name=version]").value = button.dataset.keepVersion;
  htmx.trigger(form, "change");
});
