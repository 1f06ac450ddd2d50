-- One database per service: no service reads another's tables.
CREATE DATABASE cadre_registration;
CREATE DATABASE cadre_scheduling;
CREATE DATABASE cadre_selection;
CREATE DATABASE cadre_portal;
