// Starts Swagger UI from this file rather than an inline script, so a strict CSP allows it.
window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true,
    // No call to the public validator: the page works offline and sends nothing away.
    validatorUrl: null,
    persistAuthorization: false,
  });
});
