// The single-page app of public/app.html: renders the route the browser shows, which exists only here.
(function () {
  var route = document.getElementById("route");
  route.textContent = "Route: " + location.pathname;
  var styled = getComputedStyle(document.documentElement).getPropertyValue("--spindle-styled").trim();
  document.body.setAttribute("data-styled", styled || "no");
  document.getElementById("styled").textContent = styled === "yes"
    ? "The stylesheet arrived (precompressed, decoded by the browser)."
    : "The stylesheet did not arrive.";
})();
